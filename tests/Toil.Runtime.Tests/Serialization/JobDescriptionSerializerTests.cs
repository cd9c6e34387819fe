using System.Text;
using System.Text.Json.Nodes;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Serialization;

namespace Toil.Runtime.Tests.Serialization;

public sealed class JobDescriptionSerializerTests
{
    private const string Id = "kind-j/instance-1";

    private static CheckpointJobDescription RichJob()
    {
        var job = new CheckpointJobDescription("rich", new JobRequirements
        {
            Memory = "2Gi",
            Cores = 0.25,
            Disk = 3_000_000_000,
            Preemptible = true,
            Walltime = TimeSpan.FromSeconds(1.5),
            Accelerators = [new AcceleratorRequirement(2, "gpu", "nvidia-a100", "nvidia", "cuda")],
        }, unitName: "unit", displayName: "Rich", local: true)
        {
            JobStoreId = Id,
            RemainingTryCountOverride = 3,
            RetryBackoffSecondsOverride = 6,
            PredecessorNumber = 2,
            LogJobStoreFileId = "log-id",
            Version = 12,
            VersionWriter = 4242,
        };
        job.AttachBody(new JobBody("rich.type", "files-flat/file-1/input.json"));
        job.SetCheckpoint();
        job.AttachBody(new JobBody("rich.type", "files-flat/file-2/input.json"));
        job.CheckpointFilesToDelete.AddRange(["promise-1", "promise-2"]);
        job.SetSuccessorPhases([["adopted-a", "adopted-b"], [], ["follow"], ["child-1", "child-2"]]);
        job.AddServiceHostJob("svc");
        job.AddServiceHostJob("svc-child", "svc");
        job.PredecessorsFinished.Add("pred");
        job.FilesToDelete.AddRange(["del-2", "del-1"]);
        job.MergedJobNames.Add(new JobNames("a", "ua", "A", "A-stats", "id-a"));
        job.FilesToUse.Add("use-1");
        return job;
    }

    private static JobDescription RoundTrip(JobDescription job) => JobDescriptionSerializer.Deserialize(JobDescriptionSerializer.Serialize(job), job.JobStoreId);

    private static JsonObject Document(JobDescription job) => JsonNode.Parse(JobDescriptionSerializer.Serialize(job))!.AsObject();

    private static JobRecordFormatException Corrupt(string json) => Corrupt(Encoding.UTF8.GetBytes(json));

    private static JobRecordFormatException Corrupt(byte[] bytes)
    {
        var act = () => JobDescriptionSerializer.Deserialize(bytes, Id);
        var e = act.Should().Throw<JobRecordFormatException>().Which;
        e.JobId.Should().Be(Id);
        e.Message.Should().Contain(Id);
        return e;
    }

    [Test]
    public void RoundTrip_EveryField_IsKept()
    {
        var job = RichJob();

        var back = RoundTrip(job);

        var cp = back.Should().BeOfType<CheckpointJobDescription>().Subject;
        cp.Checkpoint.Should().Be(new JobBody("rich.type", "files-flat/file-1/input.json"));
        cp.CheckpointFilesToDelete.Should().Equal("promise-1", "promise-2");
        back.GetBody().Should().Be(new JobBody("rich.type", "files-flat/file-2/input.json"));
        back.JobStoreId.Should().Be(Id);
        back.JobName.Should().Be("rich");
        back.UnitName.Should().Be("unit");
        back.DisplayName.Should().Be("Rich");
        back.Local.Should().BeTrue();
        back.Requirements.Should().Be(job.Requirements);
        back.Requirements.Walltime.Should().Be(TimeSpan.FromSeconds(1.5));
        back.RemainingTryCountOverride.Should().Be(3);
        back.RetryBackoffSecondsOverride.Should().Be(6);
        back.PredecessorNumber.Should().Be(2);
        back.PredecessorsFinished.Should().BeEquivalentTo(["pred"]);
        back.SuccessorPhases.Select(p => p.Order(StringComparer.Ordinal).ToArray()).Should().BeEquivalentTo(
            new[] { new[] { "adopted-a", "adopted-b" }, Array.Empty<string>(), new[] { "follow" }, new[] { "child-1", "child-2" } },
            o => o.WithStrictOrdering());
        back.ServiceTree.Should().HaveCount(2);
        back.ServiceTree["svc"].Should().Equal("svc-child");
        back.ServiceTree["svc-child"].Should().BeEmpty();
        back.LogJobStoreFileId.Should().Be("log-id");
        back.FilesToDelete.Should().Equal("del-2", "del-1");
        back.MergedJobNames.Should().Equal(new JobNames("a", "ua", "A", "A-stats", "id-a"));
        back.FilesToUse.Should().BeEquivalentTo(["use-1"]);
        back.Version.Should().Be(12);
        back.VersionWriter.Should().Be(4242);
        back.Config.Should().BeNull("the configuration is not persisted with the job");
    }

    [Test]
    public void RoundTrip_MinimalJob_KeepsDefaultsAndNoRequirements()
    {
        var job = new JobDescription("plain") { JobStoreId = Id };

        var back = RoundTrip(job);

        back.Should().BeOfType<JobDescription>();
        back.Requirements.Should().Be(JobRequirements.None);
        back.HasBody.Should().BeFalse();
        back.RemainingTryCountOverride.Should().BeNull();
        back.RetryBackoffSecondsOverride.Should().BeNull();
        back.SuccessorPhases.Should().HaveCount(2).And.OnlyContain(p => p.Count == 0);
        back.DisplayName.Should().Be("plain");
    }

    [Test]
    public void RoundTrip_PhasesAndOwnSuccessors_ChildrenAndFollowOnsStayViewsOfTheLastTwoPhases()
    {
        var back = RoundTrip(RichJob());

        back.Children.Should().BeSameAs(back.SuccessorPhases[^1]);
        back.FollowOns.Should().BeSameAs(back.SuccessorPhases[^2]);
        back.AddChild("child-3");
        back.AddFollowOn("follow-2");

        back.SuccessorPhases[^1].Should().BeEquivalentTo(["child-1", "child-2", "child-3"]);
        back.SuccessorPhases[^2].Should().BeEquivalentTo(["follow", "follow-2"]);
        back.SuccessorPhases[0].Should().BeEquivalentTo(["adopted-a", "adopted-b"], "adopted phases are not the job's own");
        back.FilterSuccessors(_ => false);
        back.AddChild("after-filter");
        RoundTrip(back).Children.Should().BeEquivalentTo(["after-filter"]);
    }

    [Test]
    public void Serialize_Document_CarriesSchemaVersionAndKind()
    {
        var doc = Document(RichJob());

        doc["schemaVersion"]!.GetValue<int>().Should().Be(1, "a record whose bodies are files is written as version 1, which older releases read");
        doc["kind"]!.GetValue<string>().Should().Be("checkpoint");
        Document(new JobDescription("j") { JobStoreId = Id })["kind"]!.GetValue<string>().Should().Be("job");
    }

    [Test]
    public void Serialize_InlineBodyAndSnapshot_WritesVersion2WithTheInputAndReadsBackEqualBodies()
    {
        var job = new CheckpointJobDescription("inline") { JobStoreId = Id };
        job.AttachBody(JobBody.Inline("inline.type", """{"schemaVersion":1,"input":{"n":1}}"""u8.ToArray()));
        job.SetCheckpoint();

        var doc = Document(job);
        var back = (CheckpointJobDescription)RoundTrip(job);

        doc["schemaVersion"]!.GetValue<int>().Should().Be(JobDescriptionSerializer.SchemaVersion);
        doc["body"]!.AsObject().ContainsKey("fileId").Should().BeFalse();
        Convert.FromBase64String(doc["body"]!["input"]!.GetValue<string>()).Should().Equal(job.GetBody().Input.ToArray());
        back.GetBody().Should().Be(job.GetBody()).And.NotBeSameAs(job.GetBody());
        back.Checkpoint.Should().Be(back.GetBody(), "a snapshot and its body are equal by their bytes, not their arrays");
        JobDescriptionSerializer.CopyRoundTrips(job).Should().BeTrue();
    }

    [Test]
    public void JobBodyInline_CopiesItsInputAndComparesByContent()
    {
        byte[] input = "{}"u8.ToArray();
        var body = JobBody.Inline("t", input);
        input[0] = (byte)'[';

        body.Input.ToArray().Should().Equal("{}"u8.ToArray(), "the body keeps its own copy");
        body.Should().Be(JobBody.Inline("t", "{}"u8.ToArray()));
        body.Should().NotBe(JobBody.Inline("t", "[]"u8.ToArray()));
        body.Should().NotBe(new JobBody("t", "files-flat/file-1/body"));
        body.ToString().Should().Contain("2 bytes inline");
    }

    [Test]
    public void Deserialize_UnknownProperty_IsIgnored()
    {
        var doc = Document(RichJob());
        doc["addedInAFutureMinorVersion"] = 5;

        var back = JobDescriptionSerializer.Deserialize(Encoding.UTF8.GetBytes(doc.ToJsonString()), Id);

        back.JobName.Should().Be("rich");
    }

    // ---- Corrupt and hostile documents: always JobRecordFormatException naming the job (a store reports it as CorruptJobRecordException) ----

    [Test]
    public void Deserialize_Empty_ThrowsCorruptRecord()
    {
        Corrupt([]).Reason.Should().Contain("empty");
    }

    [Test]
    public void Deserialize_Truncated_ThrowsCorruptRecordWithTheParserErrorInside()
    {
        byte[] full = JobDescriptionSerializer.Serialize(RichJob());

        foreach (int length in new[] { 1, full.Length / 3, full.Length / 2, full.Length - 1 })
        {
            Corrupt(full[..length]).InnerException.Should().BeAssignableTo<System.Text.Json.JsonException>();
        }
    }

    [TestCase("null", "null")]
    [TestCase("[]", "JSON")]
    [TestCase("42", "JSON")]
    [TestCase("\"a string\"", "JSON")]
    [TestCase("{", "JSON")]
    [TestCase("not json at all", "JSON")]
    [TestCase("{}", "schemaVersion")]
    public void Deserialize_NotAJobRecord_ThrowsCorruptRecord(string json, string reason)
    {
        Corrupt(json).Reason.Should().Contain(reason);
    }

    [Test]
    public void Deserialize_InvalidUtf8_ThrowsCorruptRecord()
    {
        byte[] bytes = JobDescriptionSerializer.Serialize(RichJob());
        int at = Array.IndexOf(bytes, (byte)'r');
        bytes[at] = 0xFF;

        Corrupt(bytes);
    }

    [TestCase(3)]
    [TestCase(0)]
    [TestCase(-1)]
    public void Deserialize_UnknownSchemaVersion_ThrowsCorruptRecordNamingTheVersion(int version)
    {
        var doc = Document(RichJob());
        doc["schemaVersion"] = version;

        Corrupt(doc.ToJsonString()).Reason.Should().Contain("schemaVersion");
    }

    [TestCase("schemaVersion", "\"1\"")]
    [TestCase("version", "\"twelve\"")]
    [TestCase("version", "1.5")]
    [TestCase("local", "\"yes\"")]
    [TestCase("predecessorNumber", "3000000000")]
    [TestCase("successorPhases", "\"child\"")]
    [TestCase("successorPhases", "[[1], []]")]
    [TestCase("serviceTree", "[]")]
    [TestCase("body", "\"file\"")]
    [TestCase("filesToDelete", "{}")]
    [TestCase("requirements", "[]")]
    public void Deserialize_WrongType_ThrowsCorruptRecordNamingTheField(string field, string value)
    {
        var doc = Document(RichJob());
        doc[field] = JsonNode.Parse(value);

        Corrupt(doc.ToJsonString()).Message.Should().Contain(field);
    }

    [TestCase("memory", "1.5")]
    [TestCase("disk", "1073741824.5")]
    [TestCase("memory", "\"2Gi\"")]
    public void Deserialize_FloatOrTextMemoryOrDisk_ThrowsCorruptRecordNamingTheField(string field, string value)
    {
        var doc = Document(RichJob());
        doc["requirements"]![field] = JsonNode.Parse(value);

        Corrupt(doc.ToJsonString()).Message.Should().Contain(field);
    }

    [TestCase("memory", "-1")]
    [TestCase("disk", "-1073741824")]
    [TestCase("cores", "-0.5")]
    [TestCase("walltimeSeconds", "-1")]
    public void Deserialize_NegativeRequirement_ThrowsCorruptRecordNamingTheField(string field, string value)
    {
        var doc = Document(RichJob());
        doc["requirements"]![field] = JsonNode.Parse(value);

        Corrupt(doc.ToJsonString()).Message.ToLowerInvariant().Should().Contain(field.Replace("Seconds", string.Empty, StringComparison.Ordinal).ToLowerInvariant());
    }

    [TestCase("walltimeSeconds", "1e300")]
    [TestCase("walltimeSeconds", "-1e300")]
    public void Deserialize_OutOfRangeWalltime_ThrowsCorruptRecord(string field, string value)
    {
        var doc = Document(RichJob());
        doc["requirements"]![field] = JsonNode.Parse(value);

        Corrupt(doc.ToJsonString());
    }

    [TestCase("remainingTryCount", "-1")]
    [TestCase("retryBackoffSeconds", "-2")]
    [TestCase("predecessorNumber", "-1")]
    [TestCase("version", "-1")]
    public void Deserialize_NegativeCounter_ThrowsCorruptRecordNamingTheField(string field, string value)
    {
        var doc = Document(RichJob());
        doc[field] = JsonNode.Parse(value);

        Corrupt(doc.ToJsonString()).Message.Should().Contain(field);
    }

    [TestCase("kind", "\"service\"", "kind")]
    [TestCase("kind", "null", "kind")]
    [TestCase("jobStoreId", "null", "jobStoreId")]
    [TestCase("jobStoreId", "\"\"", "jobStoreId")]
    [TestCase("successorPhases", "[[]]", "two successor phases")]
    [TestCase("successorPhases", "null", "two successor phases")]
    [TestCase("successorPhases", "[null, []]", "phase")]
    [TestCase("successorPhases", "[[null], []]", "null")]
    [TestCase("body", "{\"typeName\":\"t\"}", "fileId")]
    [TestCase("body", "{\"fileId\":\"f\"}", "typeName")]
    [TestCase("checkpoint", "{\"fileId\":\"f\"}", "typeName")]
    [TestCase("mergedJobNames", "[{\"jobName\":\"a\"}]", "jobStoreId")]
    [TestCase("filesToDelete", "[null]", "null")]
    [TestCase("filesToUse", "[\"a\", null]", "null")]
    [TestCase("predecessorsFinished", "[null]", "null")]
    [TestCase("checkpointFilesToDelete", "[null]", "null")]
    [TestCase("serviceTree", "{\"s\": [null]}", "null")]
    [TestCase("serviceTree", "{\"s\": [\"not-a-key\"]}", "not-a-key")]
    [TestCase("serviceTree", "{\"a\": [\"b\"], \"b\": [\"a\"]}", "cycle")]
    [TestCase("serviceTree", "{\"a\": [\"c\"], \"b\": [\"c\"], \"c\": []}", "\"c\"")]
    public void Deserialize_InvalidContent_ThrowsCorruptRecordWithAReason(string field, string value, string reason)
    {
        var doc = Document(RichJob());
        doc[field] = JsonNode.Parse(value);

        Corrupt(doc.ToJsonString()).Reason.Should().Contain(reason.Trim('"'));
    }

    [Test]
    public void Deserialize_AcceleratorCountBelowOne_ThrowsCorruptRecord()
    {
        var doc = Document(RichJob());
        doc["requirements"]!["accelerators"] = JsonNode.Parse("[{\"count\":0,\"kind\":\"gpu\"}]");

        Corrupt(doc.ToJsonString()).Reason.Should().Contain("accelerator");
    }

    [Test]
    public void Deserialize_DeeplyNested_ThrowsCorruptRecord()
    {
        string json = "{\"schemaVersion\":1,\"x\":" + new string('[', 10_000) + new string(']', 10_000) + "}";

        Corrupt(json);
    }

    [Test]
    public void Serialize_ServiceChildThatIsNotAService_ThrowsNamingTheJobAndWritesNothing()
    {
        var job = new JobDescription("j") { JobStoreId = Id };
        job.AddServiceHostJob("svc");
        job.ServiceTree["svc"].Add("not-a-service");

        var act = () => JobDescriptionSerializer.Serialize(job);

        act.Should().Throw<InvalidOperationException>().Which.Message.Should().Contain(Id).And.Contain("not-a-service");
    }

    [Test]
    public void Serialize_NegativeCounterOrNullId_ThrowsInsteadOfWritingAnUnreadableRecord()
    {
        var negative = new JobDescription("j") { JobStoreId = Id, RemainingTryCountOverride = -1 };
        var nullId = new JobDescription("j") { JobStoreId = Id };
        nullId.FilesToDelete.Add(null!);

        var a = () => JobDescriptionSerializer.Serialize(negative);
        var b = () => JobDescriptionSerializer.Serialize(nullId);

        a.Should().Throw<InvalidOperationException>().WithMessage("*remainingTryCount*");
        b.Should().Throw<InvalidOperationException>().WithMessage("*filesToDelete*");
    }

    // ---- Workflow configuration ----

    [Test]
    public void ConfigRoundTrip_EveryField_IsKept()
    {
        var config = new WorkflowConfig
        {
            DefaultMemory = "3Gi",
            DefaultCores = 2.5,
            DefaultDisk = "7Gi",
            DefaultAccelerators = [new AcceleratorRequirement(1, Api: "cuda", Brand: "nvidia")],
            DefaultPreemptible = true,
            DefaultWalltime = TimeSpan.FromMinutes(3),
            RetryCount = 5,
            RetryBackoffSeconds = 1.5,
            RetryBackoffFactor = 4,
            EnableUnlimitedPreemptibleRetries = true,
            DoubleMemory = true,
            RunLocalJobsOnWorkers = true,
            JobAssemblies = ["/opt/jobs.dll"],
        };

        var back = JobDescriptionSerializer.DeserializeConfig(JobDescriptionSerializer.SerializeConfig(config), "memory:x");

        back.Should().Be(config);
        back.Should().NotBeSameAs(config);
    }

    [TestCase("")]
    [TestCase("{")]
    [TestCase("{}")]
    [TestCase("{\"schemaVersion\":2,\"workflowId\":\"w\"}")]
    [TestCase("{\"schemaVersion\":1}")]
    [TestCase("{\"schemaVersion\":1,\"workflowId\":\"w\",\"defaultMemory\":-1}")]
    [TestCase("{\"schemaVersion\":1,\"workflowId\":\"w\",\"retryCount\":-1}")]
    [TestCase("{\"schemaVersion\":1,\"workflowId\":\"w\",\"defaultCores\":-1}")]
    [TestCase("{\"schemaVersion\":1,\"workflowId\":\"w\",\"defaultWalltimeSeconds\":1e300}")]
    public void DeserializeConfig_Invalid_ThrowsCorruptRecordNamingTheStore(string json)
    {
        var act = () => JobDescriptionSerializer.DeserializeConfig(Encoding.UTF8.GetBytes(json), "file:/data/store");

        act.Should().Throw<JobRecordFormatException>().Which.Message.Should().Contain("config.json");
    }
}
