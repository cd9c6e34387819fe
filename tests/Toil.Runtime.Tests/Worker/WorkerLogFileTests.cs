using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Worker;

/// <summary>
/// The worker log's held line (<see cref="WorkerLogFile.WriteHeld"/>, docs/decisions.md#log-capture): it reaches the file
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
        held.WriteHeld(time, LogLevel.Information, "Toil.Runtime.Worker", "Working on job 'A' é", null);

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
        log.WriteHeld(time, LogLevel.Information, "Toil.Runtime.Worker", "Working on job 'A'", null);

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
        log.WriteHeld(time, LogLevel.Information, "Toil.Runtime.Worker", "Working on job 'A'", null);

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
        log.WriteHeld(time, LogLevel.Information, "Toil.Runtime.Worker", "Working on job 'A'", null);

        log.Dispose();

        File.ReadAllText(path).Should().EndWith("Working on job 'A'" + Environment.NewLine);
    }

    [Test]
    public void WriteHeld_ThenLargeChildOutput_BothInOrder()
    {
        var time = new FakeTimeProvider();
        string path = Path.Combine(_dir, "log.txt");
        using var log = WorkerLogFile.Open(path);
        log.WriteHeld(time, LogLevel.Information, "Toil.Runtime.Worker", "Working on job 'A'", null);
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
            parts.WriteHeldParts(time, LogLevel.Information, "Toil.Runtime.Worker", "Completed body for ", "'A' [u] kind-a/instance-1 v2");
            parts.WriteParts(time, LogLevel.Information, "Toil.Runtime.Worker", "Working on job ", "'B' é");
        }

        File.ReadAllBytes(partsPath).Should().Equal(File.ReadAllBytes(wholePath));
    }

    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
