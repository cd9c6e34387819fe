using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Leader.Workflows;
using Toil.Runtime.Reliability.Host;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Reliability;

/// <summary>Helpers of the machine-fault tests: root check, mounts, an in-process leader on a FileJobStore, record checks.</summary>
internal static class MachineFaults
{
    public static readonly TimeSpan Bound = TimeSpan.FromMinutes(3);

    /// <summary>Skips the test unless it runs as root on Linux (mounts need it; CI runs as root).</summary>
    public static void RequireRoot()
    {
        bool root = OperatingSystem.IsLinux() && File.ReadLines("/proc/self/status").Any(l => l.StartsWith("Uid:", StringComparison.Ordinal) && l.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == "0");
        if (!root)
        {
            Assert.Ignore("needs root on Linux to mount a tmpfs or a read-only bind mount; CI runs as root. Run: sudo dotnet test tests/Toil.Runtime.Reliability -c Release --filter FullyQualifiedName~MachineFault");
        }
    }

    /// <summary>Runs a command (mount, umount) and fails the test with its output when it fails.</summary>
    public static void Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        string error = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(30_000) || process.ExitCode != 0)
        {
            Assert.Ignore($"'{program} {string.Join(' ', args)}' failed ({error.Trim()}): this machine does not allow it");
        }
    }

    /// <summary>An in-process leader (the in-process batch system, 2 slots) on the file store at <paramref name="store"/>.</summary>
    public static ServiceProvider Leader(string store, string work, int retryCount, double backoffSeconds) =>
        FaultJobs.Register(new ServiceCollection().AddLogging())
            .AddToilLeader(o =>
            {
                o.JobStore = "file:" + store;
                o.Restart = true;
                o.Clean = CleanPolicy.Never;
                o.Config = new WorkflowConfig { RetryCount = retryCount, RetryBackoffSeconds = backoffSeconds };
                o.StatsPollInterval = TimeSpan.FromMilliseconds(100);
            })
            .ConfigureInProcessBatchSystem(o => { o.MaxCores = 2; o.MaxMemory = 8L << 30; o.MaxDisk = 8L << 30; })
            .Configure<WorkerOptions>(o => { o.WorkDir = work; o.CoordinationDir = work; })
            .BuildServiceProvider();

    /// <summary>Loads every job record in the store; returns how many (a record that does not load fails the test).</summary>
    public static async Task<int> LoadEveryRecordAsync(string store)
    {
        await using var opened = await FileJobStore.OpenAsync("file:" + store);
        int loaded = 0;
        foreach (string record in Directory.EnumerateFiles(Path.Combine(store, "jobs"), "job", SearchOption.AllDirectories))
        {
            string id = Path.GetRelativePath(Path.Combine(store, "jobs"), Path.GetDirectoryName(record)!).Replace('\\', '/');
            var job = await opened.LoadJobAsync(id);
            job.JobStoreId.Should().Be(id);
            loaded++;
        }

        return loaded;
    }

    /// <summary>Job directories (<c>instance-*</c>) left in the store.</summary>
    public static List<string> InstanceDirectories(string store) =>
        Directory.Exists(Path.Combine(store, "jobs"))
            ? [.. Directory.EnumerateDirectories(Path.Combine(store, "jobs"), "instance-*", SearchOption.AllDirectories)
                .Select(d => Path.GetRelativePath(store, d) + " [" + string.Join(' ', Directory.EnumerateFileSystemEntries(d).Select(Path.GetFileName)) + "]")]
            : [];

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for {what}");
            }

            await Task.Delay(20);
        }
    }
}
