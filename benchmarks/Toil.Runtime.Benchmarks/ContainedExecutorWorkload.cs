using System.Diagnostics;
using System.Globalization;
using Toil.Runtime.Executors.Contained;
using Toil.Runtime.Executors.Processes;

namespace Toil.Runtime.Benchmarks;

/// <summary>
/// Per-job cost of the contained executor's process machinery against the floor of starting <c>/bin/sh -c true</c>
/// with .NET's own <see cref="Process"/>: <see cref="ProcessGroupChild"/> alone, and a whole in-process
/// <see cref="ContainedExecutor.RunAsync"/> (decode, resource root, spawn, wait, cleanup). Args: <c>[jobs]</c> (default 200).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ContainedExecutorWorkload : IWorkload
{
    /// <inheritdoc />
    public string Name => "contained-executor";

    /// <inheritdoc />
    public string Description => "spawn+wait of sh -c true: Process (floor) vs ProcessGroupChild vs ContainedExecutor.RunAsync";

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] args)
    {
        int jobs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
        string payload = ContainedExecutor.PackJob("true")[1];

        // Warm-up: JIT and page cache for all three paths.
        await FloorAsync(10);
        await GroupChildAsync(10);
        await ExecutorAsync(10, payload);

        // Interleaved rounds, so that load from other processes falls on all three alike.
        double floor = 0, group = 0, executor = 0;
        const int Round = 10;
        for (int done = 0; done < jobs; done += Round)
        {
            floor += await FloorAsync(Round);
            group += await GroupChildAsync(Round);
            executor += await ExecutorAsync(Round, payload);
        }

        jobs = (jobs + Round - 1) / Round * Round;

        Console.WriteLine($"jobs={jobs}");
        Console.WriteLine($"floor   Process.Start      {PerJob(floor, jobs),8:F3} ms/job");
        Console.WriteLine($"        ProcessGroupChild  {PerJob(group, jobs),8:F3} ms/job  ratio {group / floor:F2}");
        Console.WriteLine($"        ContainedExecutor  {PerJob(executor, jobs),8:F3} ms/job  ratio {executor / floor:F2}");
        return 0;
    }

    private static double PerJob(double totalMs, int jobs) => totalMs / jobs;

    private static async Task<double> FloorAsync(int jobs)
    {
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < jobs; i++)
        {
            using var process = Process.Start(new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", "true" }, UseShellExecute = false })!;
            await process.WaitForExitAsync();
        }

        return watch.Elapsed.TotalMilliseconds;
    }

    private static async Task<double> GroupChildAsync(int jobs)
    {
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < jobs; i++)
        {
            await ProcessGroupChild.Start("true").WaitForExitAsync();
        }

        return watch.Elapsed.TotalMilliseconds;
    }

    private static async Task<double> ExecutorAsync(int jobs, string payload)
    {
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < jobs; i++)
        {
            if (await ContainedExecutor.RunAsync([payload]) != 0)
            {
                throw new InvalidOperationException("the executor failed");
            }
        }

        return watch.Elapsed.TotalMilliseconds;
    }
}
