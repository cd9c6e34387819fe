using System.Globalization;
using Toil.Runtime.JobStores;
using Toil.Runtime.Stats;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Stats;

/// <summary>A long chain's stats go through spool files, and the document that comes out is the one the in-memory path wrote.</summary>
[TestFixture]
public sealed class StatsSpoolTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "toil-stats-spool-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [TestCase(true, true)]
    [TestCase(false, true)]
    [TestCase(false, false)]
    public async Task WriteDocumentAsync_ListsPastTheInMemoryCount_SameBytesAsTheInMemoryDocument(bool withLogs, bool finished)
    {
        // Enough records for several 64 KiB spool chunks plus a tail still in memory, one of them longer than a chunk.
        var records = Records(3000);
        var names = records.Select(r => r.ClassName!).ToList();
        using var spool = new StatsSpool(_dir, recordNames: true, inMemoryCount: 5);
        Fill(spool, records, names);

        Directory.EnumerateFiles(_dir, "*.spool").Should().HaveCount(4, "every list past the in-memory count is spooled to disk");
        spool.JobCount.Should().Be(3000);
        spool.NameCount.Should().Be(3000);
        spool.LeaderMessageCount.Should().BeGreaterThan(3000);

        var document = Header(withLogs ? new WorkerLogsRecord { Messages = ["line one", "é \"two\"", string.Empty] } : null, finished);
        using var output = new MemoryStream();
        await spool.WriteDocumentAsync(output, document, CancellationToken.None);

        var expected = Expected(records, withLogs ? new WorkerLogsRecord { Names = names, Messages = ["line one", "é \"two\"", string.Empty] } : null, finished);
        output.ToArray().Should().Equal(expected.ToUtf8Json());
        var parsed = StatsDocument.Parse(output.ToArray());
        parsed.Jobs.Select(j => j.ClassName).Should().Equal(names);
        (parsed.Logs?.Names ?? names).Should().Equal(names);
    }

    [Test]
    public async Task WriteAsync_LongChain_StoreReceivesTheInMemoryDocument()
    {
        var records = Records(1200);
        var names = records.Select(r => r.ClassName!).ToList();
        using var spool = new StatsSpool(_dir, recordNames: true, inMemoryCount: 100);
        Fill(spool, records, names);
        await using var store = new InMemoryJobStore();

        await spool.WriteAsync(store, Header(new WorkerLogsRecord { Messages = ["m"] }), CancellationToken.None);

        var expected = Expected(records, new WorkerLogsRecord { Names = names, Messages = ["m"] });
        (await ReadMessagesAsync(store)).Should().ContainSingle().Which.Should().Equal(expected.ToUtf8Json());
    }

    [Test]
    public async Task WriteAsync_UnspilledDocumentOfManyBuffers_InMemoryStoreReceivesTheBytesOfToUtf8Json()
    {
        // Nothing spilled, but the document (a 150 KB name among 1,600 records) passes the serializer's buffer many
        // times: the in-memory store captures it as it is written, and must hold exactly what ToUtf8Json gives.
        var records = Records(1600);
        var names = records.Select(r => r.ClassName!).ToList();
        using var spool = new StatsSpool(_dir, recordNames: true, inMemoryCount: 5000);
        Fill(spool, records, names);
        await using var store = new InMemoryJobStore();

        await spool.WriteAsync(store, Header(new WorkerLogsRecord { Messages = ["m"] }), CancellationToken.None);

        spool.Spilled.Should().BeFalse();
        var expected = Expected(records, new WorkerLogsRecord { Names = names, Messages = ["m"] });
        byte[] bytes = expected.ToUtf8Json();
        bytes.Length.Should().BeGreaterThan(200_000);
        (await ReadMessagesAsync(store)).Should().ContainSingle().Which.Should().Equal(bytes);
    }

    [Test]
    public async Task WriteAsync_ShortChain_NothingSpooledAndTheInMemoryDocument()
    {
        var records = Records(3);
        var names = records.Select(r => r.ClassName!).ToList();
        using var spool = new StatsSpool(_dir, recordNames: true);
        Fill(spool, records, names);
        await using var store = new InMemoryJobStore();

        await spool.WriteAsync(store, Header(new WorkerLogsRecord { Names = ["fallback"], Messages = ["m"] }), CancellationToken.None);

        spool.Spilled.Should().BeFalse();
        Directory.EnumerateFiles(_dir).Should().BeEmpty();
        var expected = Expected(records, new WorkerLogsRecord { Names = names, Messages = ["m"] });
        (await ReadMessagesAsync(store)).Should().ContainSingle().Which.Should().Equal(expected.ToUtf8Json());
    }

    [Test]
    public async Task WriteDocumentAsync_NoNamesRecorded_UsesTheDocumentsNames()
    {
        var records = Records(50);
        using var spool = new StatsSpool(_dir, recordNames: false, inMemoryCount: 10);
        Fill(spool, records, ["ignored"]);
        var document = Header(new WorkerLogsRecord { Names = ["a", "b"], Messages = [] });
        using var output = new MemoryStream();

        await spool.WriteDocumentAsync(output, document, CancellationToken.None);

        spool.NameCount.Should().Be(0);
        var expected = Expected(records, new WorkerLogsRecord { Names = ["a", "b"], Messages = [] });
        output.ToArray().Should().Equal(expected.ToUtf8Json());
    }

    [Test]
    public async Task AddJob_SpoolDirectoryMissing_KeepsEveryRecordInMemoryAndReportsOncePerSpool()
    {
        var failures = new List<Exception>();
        var records = Records(2000);
        using var spool = new StatsSpool(Path.Combine(_dir, "gone"), recordNames: false, inMemoryCount: 1, spillFailed: failures.Add);
        Fill(spool, records, []);
        using var output = new MemoryStream();

        await spool.WriteDocumentAsync(output, Header(null), CancellationToken.None);

        failures.Should().HaveCount(3, "the records', leader messages' and user streams' spools each failed once (names are not recorded)")
            .And.OnlyContain(e => e is IOException);
        var expected = Expected(records, null);
        output.ToArray().Should().Equal(expected.ToUtf8Json(), "no record is lost when the spool cannot be written");
    }

    [Test]
    public void Dispose_AfterSpilling_DeletesTheSpoolFiles()
    {
        var records = Records(2000);
        var spool = new StatsSpool(_dir, recordNames: true, inMemoryCount: 1);
        Fill(spool, records, records.Select(r => r.ClassName!).ToList());
        Directory.EnumerateFiles(_dir, "*.spool").Should().NotBeEmpty();

        spool.Dispose();

        Directory.EnumerateFiles(_dir).Should().BeEmpty();
    }

    private static void Fill(StatsSpool spool, List<JobStatsRecord> records, List<string> names)
    {
        foreach (var name in names)
        {
            spool.AddName(name);
        }

        foreach (var record in records)
        {
            spool.AddJob(record);
            foreach (var message in LeaderMessages(record))
            {
                spool.AddLeaderMessage(message);
            }

            if (UserStream(record) is { } stream)
            {
                spool.AddUserStream(stream);
            }
        }
    }

    // What the in-memory path's document holds for these records: every job's disk message, some warnings and streams.
    private static StatsDocument Expected(List<JobStatsRecord> records, WorkerLogsRecord? logs, bool finished = true)
    {
        var document = Header(logs, finished);
        document.Jobs = records;
        document.Workers.LogsToLeader = [.. records.SelectMany(LeaderMessages)];
        document.Workers.LoggingUserStreams = [.. records.Select(UserStream).OfType<UserStreamRecord>()];
        return document;
    }

    private static IEnumerable<LeaderMessageRecord> LeaderMessages(JobStatsRecord record)
    {
        yield return new LeaderMessageRecord { Text = $"Job {record.ClassName} used {record.Disk} bytes of disk", Level = 10 };
        if (record.Succeeded == "False")
        {
            yield return new LeaderMessageRecord { Text = "used 12.5% more CPU — ✓", Level = 30 };
        }
    }

    private static UserStreamRecord? UserStream(JobStatsRecord record) =>
        record.Clock is null ? new UserStreamRecord { Name = "user.stream", Text = record.Start + " \"x\"\n" + new string('s', 120) } : null;

    // A failed chain's document has no time, clock, memory, disk or jobs_run (and no logs).
    private static StatsDocument Header(WorkerLogsRecord? logs, bool finished = true) => new()
    {
        Workers = finished
            ? new WorkerStatsRecord { RequestedCores = 1.5, Time = "12.5", Clock = "11.25", Memory = "123456", Disk = "0", JobsRun = 3000 }
            : new WorkerStatsRecord { RequestedCores = 0.1 },
        Logs = logs,
    };

    private static List<JobStatsRecord> Records(int count)
    {
        var records = new List<JobStatsRecord>(count);
        for (int i = 0; i < count; i++)
        {
            string n = i.ToString(CultureInfo.InvariantCulture);
            records.Add(new JobStatsRecord
            {
                Start = "1764086400." + n,
                Time = "0.000" + n,
                Clock = i % 5 == 0 ? null : "0.001",
                ClassName = i == 1500 ? new string('x', 150_000) : $"job-{n} é \"quoted\" <tag> \n\t\u0001 ✓",
                Memory = "204800",
                RequestedCores = "1",
                Disk = i % 7 == 0 ? null : n,
                Succeeded = i % 11 == 0 ? "False" : "True",
            });
        }

        return records;
    }

    private static async Task<List<byte[]>> ReadMessagesAsync(IJobStore store)
    {
        var messages = new List<byte[]>();
        await store.ReadLogsAsync(async (s, ct) =>
        {
            using var buffer = new MemoryStream();
            await s.CopyToAsync(buffer, ct);
            messages.Add(buffer.ToArray());
        });
        return messages;
    }
}
