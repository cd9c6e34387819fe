using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Worker;

/// <summary>
/// The worker log's held line (<see cref="WorkerLogFile.WriteEntry"/> with <c>hold</c>, docs/decisions.md#log-capture): it reaches the file
/// with the next write of any kind, first, with the bytes a plain write would have written.
/// </summary>
[TestFixture]
public sealed class WorkerLogFileTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "toil-worker-log-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void WriteHeld_ThenWrite_NothingBeforeAndTheSameBytesAsTwoPlainWritesAfter()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 18, 0, 0, TimeSpan.Zero));
        string plainPath = Path.Combine(_dir, "plain.txt");
        using (var plain = WorkerLogFile.Open(plainPath))
        {
            plain.Write(time, LogLevel.Information, "Toil.Runtime.Worker", "Working on job 'A' é", null);
            plain.Write(time, LogLevel.Information, "Toil.Runtime.Worker", "Completed body for 'A'", null);
        }

        string heldPath = Path.Combine(_dir, "held.txt");
        using var held = WorkerLogFile.Open(heldPath);
        held.WriteEntry(time, LogLevel.Information, "Toil.Runtime.Worker", "Working on job 'A' é", string.Empty, null, hold: true);

        held.HasHeldLine.Should().BeTrue();
        ReadShared(heldPath).Should().BeEmpty("a held line waits for the next write");

        held.Write(time, LogLevel.Information, "Toil.Runtime.Worker", "Completed body for 'A'", null);

        held.HasHeldLine.Should().BeFalse();
        ReadShared(heldPath).Should().Equal(File.ReadAllBytes(plainPath), "holding a line changes when it is written, not what");
    }

    [Test]
    public void WriteHeld_ThenChildOutput_TheHeldLineComesFirst()
    {
        var time = new FakeTimeProvider();
        string path = Path.Combine(_dir, "log.txt");
        using var log = WorkerLogFile.Open(path);
        log.WriteEntry(time, LogLevel.Information, "Toil.Runtime.Worker", "Working on job 'A'", string.Empty, null, hold: true);

        log.ChildOutput.WriteLine("output of a child process");

        string text = Encoding.UTF8.GetString(ReadShared(path));
        text.Should().EndWith("output of a child process" + Environment.NewLine);
        text.IndexOf("Working on job 'A'", StringComparison.Ordinal).Should().BeGreaterThan(0)
            .And.BeLessThan(text.IndexOf("output of a child process", StringComparison.Ordinal));
    }

    [Test]
    public void WriteHeld_ThenReleaseHeld_TheLineIsInTheFileAlone()
    {
        var time = new FakeTimeProvider();
        string path = Path.Combine(_dir, "log.txt");
        using var log = WorkerLogFile.Open(path);
        log.WriteEntry(time, LogLevel.Information, "Toil.Runtime.Worker", "Working on job 'A'", string.Empty, null, hold: true);

        log.ReleaseHeld();

        log.HasHeldLine.Should().BeFalse();
        Encoding.UTF8.GetString(ReadShared(path)).Should().EndWith("Working on job 'A'" + Environment.NewLine);
    }

    [Test]
    public void WriteHeld_ThenDispose_TheLineIsWritten()
    {
        var time = new FakeTimeProvider();
        string path = Path.Combine(_dir, "log.txt");
        var log = WorkerLogFile.Open(path);
        log.WriteEntry(time, LogLevel.Information, "Toil.Runtime.Worker", "Working on job 'A'", string.Empty, null, hold: true);

        log.Dispose();

        File.ReadAllText(path).Should().EndWith("Working on job 'A'" + Environment.NewLine);
    }

    [Test]
    public void WriteHeld_ThenLargeChildOutput_BothInOrder()
    {
        var time = new FakeTimeProvider();
        string path = Path.Combine(_dir, "log.txt");
        using var log = WorkerLogFile.Open(path);
        log.WriteEntry(time, LogLevel.Information, "Toil.Runtime.Worker", "Working on job 'A'", string.Empty, null, hold: true);
        string large = new('x', 40_000);

        log.ChildOutput.Write(large);

        string text = Encoding.UTF8.GetString(ReadShared(path));
        text.Should().EndWith(large).And.Contain("Working on job 'A'" + Environment.NewLine + large);
    }

    [Test]
    public void Write_MessageInTwoParts_TheSameBytesAsTheWholeMessage()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 18, 0, 0, TimeSpan.Zero));
        string wholePath = Path.Combine(_dir, "whole.txt");
        using (var whole = WorkerLogFile.Open(wholePath))
        {
            whole.Write(time, LogLevel.Information, "Toil.Runtime.Worker", "Completed body for 'A' [u] kind-a/instance-1 v2", null);
            whole.Write(time, LogLevel.Information, "Toil.Runtime.Worker", "Working on job 'B' é", null);
        }

        string partsPath = Path.Combine(_dir, "parts.txt");
        using (var parts = WorkerLogFile.Open(partsPath))
        {
            parts.WriteEntry(time, LogLevel.Information, "Toil.Runtime.Worker", "Completed body for ", "'A' [u] kind-a/instance-1 v2", null, hold: true);
            parts.WriteEntry(time, LogLevel.Information, "Toil.Runtime.Worker", "Working on job ", "'B' é", null, hold: false);
        }

        File.ReadAllBytes(partsPath).Should().Equal(File.ReadAllBytes(wholePath));
    }

    [TestCase(0L)]
    [TestCase(100L)]
    [TestCase(101L)]
    [TestCase(102L)]
    [TestCase(-100L)]
    [TestCase(-101L)]
    [TestCase(-102L)]
    [TestCase(1_000_000L)]
    public async Task ReadKeptAsync_InMemory_TheBytesTheFileWouldKeepAndNoFile(long limit)
    {
        // The same calls into a file and into memory: what the log-size policy keeps must be byte-identical, also when a
        // cut falls inside a multi-byte character (docs/decisions.md#log-truncation).
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 18, 0, 0, TimeSpan.Zero));
        string filePath = Path.Combine(_dir, "file.txt");
        string memoryPath = Path.Combine(_dir, "memory.txt");
        using var file = WorkerLogFile.Open(filePath);
        using var memory = WorkerLogFile.InMemory(memoryPath);
        foreach (var log in new[] { file, memory })
        {
            log.WriteEntry(time, LogLevel.Information, "Toil.Runtime.Worker", "Working on job 'A' é€𝄞", string.Empty, null, hold: true);
            log.ChildOutput.WriteLine("output of a child process ü");
            log.Write(time, LogLevel.Warning, "Toil.Runtime.Job", "a warning 𝄞𝄞𝄞", new InvalidOperationException("boom é"));
            log.Dispose();
        }

        byte[] fromMemory = await memory.ReadKeptAsync(limit);

        fromMemory.Should().Equal(await LogTruncation.ReadTruncatedAsync(filePath, limit));
        File.Exists(memoryPath).Should().BeFalse("an in-memory log makes no file unless it is kept");
        memory.IsInMemory.Should().BeTrue();
    }

    [Test]
    public async Task KeepInDirectory_InMemory_WritesTheWholeLogIntoItsFile()
    {
        var time = new FakeTimeProvider();
        string path = Path.Combine(_dir, "log.txt");
        var log = WorkerLogFile.InMemory(path);
        log.WriteEntry(time, LogLevel.Information, "Toil.Runtime.Worker", "Working on job 'A'", string.Empty, null, hold: true);
        log.ChildOutput.WriteLine("output of a child process");
        log.Dispose();

        log.KeepInDirectory();

        File.ReadAllBytes(path).Should().Equal(await log.ReadKeptAsync(0));
        File.ReadAllText(path).Should().Contain("Working on job 'A'" + Environment.NewLine + "output of a child process");
    }

    [Test]
    public async Task Write_InMemoryPastTheMemoryLimit_MovesIntoItsFileInOrder()
    {
        var time = new FakeTimeProvider();
        string path = Path.Combine(_dir, "log.txt");
        using var log = WorkerLogFile.InMemory(path);
        log.Write(time, LogLevel.Information, "Toil.Runtime.Worker", "first line", null);
        string chunk = new('x', 64 * 1024);
        for (int i = 0; i < WorkerLogFile.MemoryLimit / chunk.Length; i++)
        {
            log.ChildOutput.Write(chunk);
        }

        log.IsInMemory.Should().BeFalse("the log outgrew the memory it may use");
        log.Write(time, LogLevel.Information, "Toil.Runtime.Worker", "last line", null);
        log.Dispose();

        string text = Encoding.UTF8.GetString(ReadShared(path));
        text.Should().StartWith("[").And.Contain("first line").And.EndWith("last line" + Environment.NewLine);
        text.Length.Should().BeGreaterThan(WorkerLogFile.MemoryLimit);
        (await log.ReadKeptAsync(100)).Should().Equal(await LogTruncation.ReadTruncatedAsync(path, 100));
    }

    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
