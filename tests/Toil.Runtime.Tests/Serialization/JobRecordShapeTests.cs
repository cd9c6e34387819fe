using System.Text;
using System.Text.Json.Nodes;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Serialization;
using Toil.Runtime.Tests.JobStores;

namespace Toil.Runtime.Tests.Serialization;

/// <summary>
/// Every malformed job record ends in <see cref="JobRecordFormatException"/> from the public serializer and in
/// <see cref="CorruptJobRecordException"/> from <see cref="IJobStore.LoadJobAsync"/> of both stores (nulls inside
/// lists, wrong types, truncation, huge numbers).
/// </summary>
public sealed class JobRecordShapeTests
{
    private const string Id = "kind-j/instance-1";

    private static JobDescription ValidJob(string id = Id)
    {
        var job = new JobDescription("shape", new JobRequirements
        {
            Memory = "1Gi",
            Cores = 1,
            Accelerators = [new AcceleratorRequirement(1, "gpu", null, null, null)],
        })
        {
            JobStoreId = id,
        };
        job.AttachBody(new JobBody("shape.type", "files-flat/file-1/input.json"));
        job.MergedJobNames.Add(new JobNames("a", "ua", "A", "A-stats", "id-a"));
        job.FilesToDelete.Add("del-1");
        return job;
    }

    private static JsonObject ValidDocument(string id = Id) => JsonNode.Parse(JobDescriptionSerializer.Serialize(ValidJob(id)))!.AsObject();

    /// <summary>Malformed variants of a valid record: path to replace, and the JSON to put there.</summary>
    public static IEnumerable<TestCaseData> Mutations()
    {
        (string Path, string Json)[] cases =
        [
            ("mergedJobNames", "[null]"),
            ("mergedJobNames", "[{\"jobStoreId\":\"x\"},null]"),
            ("mergedJobNames", "[1]"),
            ("mergedJobNames", "{}"),
            ("requirements.accelerators", "[null]"),
            ("requirements.accelerators", "[\"gpu\"]"),
            ("requirements.accelerators", "[{\"count\":1e400}]"),
            ("requirements.accelerators", "[{\"count\":0}]"),
            ("requirements", "[]"),
            ("requirements.memory", "-1"),
            ("requirements.memory", "1e30"),
            ("requirements.memory", "\"1Gi\""),
            ("requirements.cores", "-1"),
            ("requirements.cores", "1e400"),
            ("requirements.walltimeSeconds", "1e300"),
            ("requirements.walltimeSeconds", "-1"),
            ("successorPhases", "null"),
            ("successorPhases", "[null,[]]"),
            ("successorPhases", "[[null],[]]"),
            ("successorPhases", "[[1],[]]"),
            ("successorPhases", "\"x\""),
            ("serviceTree", "{\"a\":[null]}"),
            ("serviceTree", "{\"a\":[\"b\"]}"),
            ("serviceTree", "{\"a\":[\"a\"]}"),
            ("serviceTree", "[]"),
            ("body", "{\"typeName\":null,\"fileId\":\"f\"}"),
            ("body", "{}"),
            ("body", "{\"typeName\":\"t\",\"fileId\":\"f\",\"input\":\"e30=\"}"),
            ("body", "{\"typeName\":\"t\",\"input\":\"e30=\"}"),
            ("body", "{\"typeName\":\"t\",\"input\":\"\"}"),
            ("body", "{\"typeName\":\"t\",\"input\":\"not base64!\"}"),
            ("body", "[]"),
            ("body", "\"t\""),
            ("filesToDelete", "[null]"),
            ("filesToDelete", "[{}]"),
            ("filesToUse", "[null]"),
            ("predecessorsFinished", "[null]"),
            ("jobStoreId", "null"),
            ("jobStoreId", "\"\""),
            ("jobStoreId", "42"),
            ("jobName", "[]"),
            ("kind", "\"nope\""),
            ("kind", "null"),
            ("local", "\"yes\""),
            ("version", "-1"),
            ("version", "1e400"),
            ("version", "99999999999999999999999"),
            ("predecessorNumber", "-5"),
            ("predecessorNumber", "2147483648"),
            ("remainingTryCount", "-1"),
            ("retryBackoffSeconds", "-0.5"),
            ("versionWriter", "1.5"),
            ("schemaVersion", "\"1\""),
            ("schemaVersion", "3"),
        ];
        foreach (var (path, json) in cases)
        {
            yield return new TestCaseData(path, json).SetArgDisplayNames(path, json);
        }
    }

    private static byte[] Mutate(string path, string json, string id = Id)
    {
        JsonObject doc = ValidDocument(id);
        string[] parts = path.Split('.');
        JsonObject target = doc;
        foreach (string part in parts[..^1])
        {
            target = target[part]!.AsObject();
        }

        target[parts[^1]] = JsonNode.Parse(json);
        return Encoding.UTF8.GetBytes(doc.ToJsonString());
    }

    [Test]
    public void CorruptJobRecordException_FromTheSerializersError_KeepsIdReasonAndMessageAndWrapsIt()
    {
        var act = () => JobDescriptionSerializer.Deserialize("{}"u8, Id);
        var format = act.Should().Throw<JobRecordFormatException>().Which;

        var corrupt = new CorruptJobRecordException(format);

        corrupt.JobId.Should().Be(Id);
        corrupt.Reason.Should().Be(format.Reason);
        corrupt.Message.Should().Be(format.Message);
        corrupt.InnerException.Should().BeSameAs(format);
    }

    [TestCaseSource(nameof(Mutations))]
    public void Deserialize_MalformedField_ThrowsCorruptRecord(string path, string json)
    {
        byte[] bytes = Mutate(path, json);

        var act = () => JobDescriptionSerializer.Deserialize(bytes, Id);

        act.Should().Throw<JobRecordFormatException>().Which.JobId.Should().Be(Id);
    }

    [Test]
    public void Deserialize_EveryTruncation_ThrowsCorruptRecord()
    {
        byte[] bytes = JobDescriptionSerializer.Serialize(ValidJob());
        for (int length = 0; length < bytes.Length; length++)
        {
            var act = () => JobDescriptionSerializer.Deserialize(bytes.AsSpan(0, length), Id);
            act.Should().Throw<JobRecordFormatException>($"a record cut to {length} bytes");
        }
    }

    [TestCase("[]")]
    [TestCase("42")]
    [TestCase("\"job\"")]
    [TestCase("true")]
    [TestCase("\"\\ud800\"")]
    [TestCase("{\"schemaVersion\":1,\"kind\":\"job\",\"jobStoreId\":\"\\udfff\",\"successorPhases\":[[],[]]}")]
    public void Deserialize_NotAnObject_ThrowsCorruptRecord(string json)
    {
        var act = () => JobDescriptionSerializer.Deserialize(Encoding.UTF8.GetBytes(json), Id);

        act.Should().Throw<JobRecordFormatException>();
    }

    [Test]
    public void Deserialize_DeepNesting_ThrowsCorruptRecord()
    {
        string deep = new string('[', 10_000) + new string(']', 10_000);
        byte[] bytes = Mutate("filesToUse", "[]");
        string text = Encoding.UTF8.GetString(bytes).Replace("\"filesToUse\":[]", "\"filesToUse\":" + deep, StringComparison.Ordinal);

        var act = () => JobDescriptionSerializer.Deserialize(Encoding.UTF8.GetBytes(text), Id);

        act.Should().Throw<JobRecordFormatException>();
    }

    [TestCase("defaultAccelerators", "[null]")]
    [TestCase("jobAssemblies", "[null]")]
    [TestCase("defaultAccelerators", "[{\"count\":1e400}]")]
    [TestCase("retryCount", "1e400")]
    [TestCase("defaultWalltimeSeconds", "1e300")]
    [TestCase("defaultMemory", "\"1Gi\"")]
    public void DeserializeConfig_MalformedField_ThrowsCorruptRecord(string field, string json)
    {
        var doc = JsonNode.Parse(JobDescriptionSerializer.SerializeConfig(new WorkflowConfig { WorkflowId = "w" }))!.AsObject();
        doc[field] = JsonNode.Parse(json);

        var act = () => JobDescriptionSerializer.DeserializeConfig(Encoding.UTF8.GetBytes(doc.ToJsonString()), "file:/x");

        act.Should().Throw<JobRecordFormatException>();
    }

    [TestCase("memory", "mergedJobNames", "[null]")]
    [TestCase("memory", "requirements.accelerators", "[null]")]
    [TestCase("memory", "successorPhases", "[[1],[]]")]
    [TestCase("file", "mergedJobNames", "[null]")]
    [TestCase("file", "requirements.accelerators", "[null]")]
    [TestCase("file", "successorPhases", "[[1],[]]")]
    public async Task LoadJobAsync_RecordWithANullInAList_ThrowsCorruptRecord(string kind, string path, string json)
    {
        using var t = new FileJobStoreTestDirectory();
        IJobStore store = kind == "file" ? await t.CreateAsync() : new InMemoryJobStore();
        await using (store)
        {
            string id = await store.CreateJobAsync(new JobDescription("job", new JobRequirements()));
            byte[] record = Mutate(path, json, id);
            if (store is InMemoryJobStore memory)
            {
                memory.OverwriteRecord(id, record);
            }
            else
            {
                await File.WriteAllBytesAsync(Path.Combine(t.StorePath, "jobs", id, "job"), record);
            }

            var load = async () => await store.LoadJobAsync(id);

            (await load.Should().ThrowAsync<CorruptJobRecordException>()).Which.JobId.Should().Be(id);
        }
    }
}
