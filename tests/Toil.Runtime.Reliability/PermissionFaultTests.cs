using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using Toil.Runtime.Reliability.Host;

namespace Toil.Runtime.Reliability;

/// <summary>
/// Permission errors in the store for a user that is not root (docs/reliability.md, "Faults of the machine"): the leader
/// and its worker run as <c>nobody</c> (<c>setpriv</c>) on a store that user owns, and directories of the store lose their
/// write permission during a commit. Root can start processes as another user; as anyone else the test skips.
/// </summary>
[TestFixture]
[NonParallelizable]
[SupportedOSPlatform("linux")]
public sealed class PermissionFaultTests
{
    private const int Nobody = 65534;
    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("toil-permission-fault-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    [CancelAfter(5 * 60 * 1000)]
    public async Task RunWorkflowAsync_StoreDirectoriesLoseWritePermissionDuringACommit_AttemptsFailCleanlyAndTheWorkflowCompletesOncePermissionsReturn(CancellationToken cancellationToken)
    {
        RequireRootAndSetpriv();
        string store = Path.Combine(_directory, "store");
        string work = Directory.CreateDirectory(Path.Combine(_directory, "work")).FullName;
        string effects = Directory.CreateDirectory(Path.Combine(_directory, "effects")).FullName;
        foreach (string owned in new[] { _directory, work, effects })
        {
            File.SetUnixFileMode(owned, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            MachineFaults.Run("chown", $"{Nobody}:{Nobody}", owned);
        }

        using var leader = StartAsNobody("fault-leader", store, work, effects, "100");
        var stdout = leader.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = leader.StandardError.ReadToEndAsync(cancellationToken);
        await MachineFaults.WaitUntilAsync(() => File.Exists(Path.Combine(effects, "ready")) || leader.HasExited, "the parent's first attempt to start");
        leader.HasExited.Should().BeFalse("the leader runs as nobody");

        // During the parent's commit (the parent is the root): no new job directory, no job-owned file. The parent's own
        // directory stays writable: the leader records each failed attempt there (a leader that cannot write a record ends
        // its run with the error, as on a read-only store).
        string parent = Path.Combine(store, "jobs", (await File.ReadAllTextAsync(Path.Combine(store, "shared", "rootJobStoreID"), cancellationToken)).Trim());
        Directory.Exists(parent).Should().BeTrue();
        File.GetUnixFileMode(parent).Should().HaveFlag(UnixFileMode.UserWrite);
        string[] locked = [Path.Combine(store, "jobs"), Path.Combine(store, "job-files")];
        var modes = locked.ToDictionary(d => d, File.GetUnixFileMode);
        foreach (string directory in locked)
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserExecute); // 0500
        }

        await File.WriteAllTextAsync(Path.Combine(effects, "go"), "go", cancellationToken);
        string attempts = Path.Combine(effects, "attempts");
        await MachineFaults.WaitUntilAsync(() => leader.HasExited || (File.Exists(attempts) && File.ReadAllLines(attempts).Length >= 3), "two more attempts of the parent");
        if (leader.HasExited)
        {
            Assert.Fail($"the leader should retry while the store refuses writes; it exited {leader.ExitCode}: {await stdout}\n{Tail(await stderr)}");
        }

        int records = await MachineFaults.LoadEveryRecordAsync(store);
        records.Should().Be(1, "the parent's record is whole and no child was half created");

        foreach (var (directory, mode) in modes)
        {
            File.SetUnixFileMode(directory, mode);
        }

        await leader.WaitForExitAsync(cancellationToken).WaitAsync(MachineFaults.Bound, cancellationToken);
        string output = await stdout;
        string log = await stderr;
        TestContext.Out.WriteLine(output);
        TestContext.Out.WriteLine(string.Join('\n', log.Split('\n').Where(l => l.Contains("denied", StringComparison.OrdinalIgnoreCase)).Take(3)));
        leader.ExitCode.Should().Be(0, log);
        int failed = int.Parse(output.Split("failedAttempts=")[1].TakeWhile(char.IsDigit).ToArray(), CultureInfo.InvariantCulture);
        failed.Should().BeGreaterThanOrEqualTo(2, "every attempt while the store refused writes failed");
        log.Should().Contain("denied", "the failed attempts say that access was denied").And.Contain(store, "and where");
        Enumerable.Range(0, 100).Should().OnlyContain(i => File.Exists(Path.Combine(effects, "done-" + i)) && File.ReadAllLines(Path.Combine(effects, "done-" + i)).Length == 1, "every child ran exactly once");
        MachineFaults.InstanceDirectories(store).Should().BeEmpty("nothing is left of the workflow");
    }

    [Test]
    [CancelAfter(5 * 60 * 1000)]
    public async Task RunWorkflowAsync_ParentsOwnJobDirectoryLosesWritePermission_RunEndsWithTheErrorRecordsLoadAndARestartCompletes(CancellationToken cancellationToken)
    {
        RequireRootAndSetpriv();
        string store = Path.Combine(_directory, "store");
        string work = Directory.CreateDirectory(Path.Combine(_directory, "work")).FullName;
        string effects = Directory.CreateDirectory(Path.Combine(_directory, "effects")).FullName;
        foreach (string owned in new[] { _directory, work, effects })
        {
            File.SetUnixFileMode(owned, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            MachineFaults.Run("chown", $"{Nobody}:{Nobody}", owned);
        }

        string parent;
        UnixFileMode mode;
        using (var leader = StartAsNobody("fault-leader", store, work, effects, "20"))
        {
            var stdout = leader.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = leader.StandardError.ReadToEndAsync(cancellationToken);
            await MachineFaults.WaitUntilAsync(() => File.Exists(Path.Combine(effects, "ready")) || leader.HasExited, "the parent's first attempt to start");
            leader.HasExited.Should().BeFalse("the leader runs as nobody");

            // The parent's own directory (its record) refuses writes: neither the worker nor the leader can update it.
            parent = Path.Combine(store, "jobs", (await File.ReadAllTextAsync(Path.Combine(store, "shared", "rootJobStoreID"), cancellationToken)).Trim());
            mode = File.GetUnixFileMode(parent);
            File.SetUnixFileMode(parent, UnixFileMode.UserRead | UnixFileMode.UserExecute); // 0500
            await File.WriteAllTextAsync(Path.Combine(effects, "go"), "go", cancellationToken);
            await leader.WaitForExitAsync(cancellationToken).WaitAsync(MachineFaults.Bound, cancellationToken);
            await stdout;
            string log = await stderr;
            TestContext.Out.WriteLine(log.Split('\n').FirstOrDefault(l => l.StartsWith("leader run ended", StringComparison.Ordinal)));
            leader.ExitCode.Should().Be(1, Tail(log));
            log.Should().Contain("leader run ended: UnauthorizedAccessException").And.Contain(parent, "the error names the directory it could not write");
        }

        (await MachineFaults.LoadEveryRecordAsync(store)).Should().BeGreaterThan(0, "the parent's record is still there and loads");
        File.SetUnixFileMode(parent, mode);
        using (var restarted = StartAsNobody("fault-leader", store, work, effects, "20"))
        {
            var stdout = restarted.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = restarted.StandardError.ReadToEndAsync(cancellationToken);
            await restarted.WaitForExitAsync(cancellationToken).WaitAsync(MachineFaults.Bound, cancellationToken);
            TestContext.Out.WriteLine(await stdout);
            restarted.ExitCode.Should().Be(0, Tail(await stderr));
        }

        Enumerable.Range(0, 20).Should().OnlyContain(i => File.Exists(Path.Combine(effects, "done-" + i)) && File.ReadAllLines(Path.Combine(effects, "done-" + i)).Length == 1, "every child ran exactly once");
        MachineFaults.InstanceDirectories(store).Should().BeEmpty("nothing is left of the workflow");
    }

    private static string Tail(string text) => text.Length > 4000 ? text[^4000..] : text;

    private static void RequireRootAndSetpriv()
    {
        bool root = OperatingSystem.IsLinux() && File.ReadLines("/proc/self/status").Any(l => l.StartsWith("Uid:", StringComparison.Ordinal) && l.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == "0");
        if (!root || !File.Exists("/usr/bin/setpriv"))
        {
            Assert.Ignore("needs root on Linux with setpriv (util-linux) to run the leader as the user nobody; CI runs as root. Run: sudo dotnet test tests/Toil.Runtime.Reliability -c Release --filter FullyQualifiedName~PermissionFault");
        }
    }

    /// <summary>This test's host program as the user nobody, with its group only.</summary>
    private Process StartAsNobody(params string[] args)
    {
        var start = new ProcessStartInfo("/usr/bin/setpriv") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { $"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups", "--", "dotnet", typeof(FaultLeader).Assembly.Location }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["HOME"] = _directory;
        start.Environment["TMPDIR"] = _directory;
        return Process.Start(start)!;
    }
}
