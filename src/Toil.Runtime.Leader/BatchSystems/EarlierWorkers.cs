using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Toil.Runtime.Leader.Scheduling;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Leader.BatchSystems;

/// <summary>
/// The restart fence (docs/decisions.md#restart-fence): before a leader cleans up and schedules a workflow, the worker
/// processes an earlier leader of it left running on this node (orphans of a killed leader) are killed and waited for.
/// An orphan that commits while the restarted leader's clean-up walks the job graph can make the clean-up take a job it
/// just created for unreachable and delete it; killed, its attempt is one more killed attempt the restart redoes.
/// </summary>
internal static class EarlierWorkers
{
    /// <summary>How long a killed orphan (or one whose process ID is not written yet) may take to release its lock.</summary>
    public static readonly TimeSpan StopBound = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Kills (SIGKILL, with the processes they started) the live workers in <paramref name="workflowDirectory"/> (the
    /// workflow's per-node directory: one <c>worker-*</c> directory per run, whose <see cref="WorkerDirectories.LivenessFileName"/>
    /// the run holds locked while it lives) and waits until every lock is free, at most <paramref name="bound"/>.
    /// </summary>
    /// <returns>How many live workers were found (and stopped, unless one outlived the bound: then it is logged).</returns>
    public static async ValueTask<int> StopAsync(string workflowDirectory, TimeSpan bound, TimeProvider time, ILogger log, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(workflowDirectory))
        {
            return 0;
        }

        var live = Directory.EnumerateDirectories(workflowDirectory, "worker-*").Where(IsLocked).ToList();
        if (live.Count == 0)
        {
            return 0;
        }

        long start = time.GetTimestamp();
        var killed = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            live.RemoveAll(d => !IsLocked(d));
            foreach (string directory in live.Where(d => !killed.Contains(d)))
            {
                // The run writes its process ID just after taking the lock; until then it is looked at again.
                if (ReadProcessId(directory) is int pid && IsLocked(directory))
                {
                    Kill(pid, directory, log);
                    killed.Add(directory);
                }
            }

            if (live.Count == 0)
            {
                return killed.Count;
            }

            if (time.GetElapsedTime(start) >= bound)
            {
                foreach (string directory in live)
                {
                    LeaderLog.EarlierWorkerOutlived(log, directory, bound);
                }

                return killed.Count;
            }

            await Task.Delay(Poll, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsLocked(string workerDirectory) => WorkerDirectories.ProbeLiveness(workerDirectory) == WorkerDirectories.Liveness.Alive;

    private static int? ReadProcessId(string workerDirectory)
    {
        try
        {
            string text = File.ReadAllText(Path.Combine(workerDirectory, WorkerDirectories.ProcessIdFileName));
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && pid > 0 ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void Kill(int pid, string directory, ILogger log)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill(entireProcessTree: true);
            LeaderLog.EarlierWorkerKilled(log, pid, directory);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Ended meanwhile (its lock is then free), or not ours to kill: the wait below tells.
            LeaderLog.EarlierWorkerNotKilled(log, pid, directory, e.Message);
        }
    }
}
