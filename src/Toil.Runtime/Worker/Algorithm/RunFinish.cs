using System.Text;
using Microsoft.Extensions.Logging;
using Toil.Runtime.Authoring;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Worker;

/// <summary>
/// The end of a run (<c>docs/worker-algorithm.md</c> §4 steps 2–8): the failed job's record reloaded, capture stopped,
/// the truncated log stored or sent, the stats written, the work directory cleaned, the finished records deleted, and
/// the result with its exit code. Everything here runs whatever the caller's token says: the store must end up consistent.
/// </summary>
/// <param name="request">The run's request.</param>
/// <param name="options">The worker options.</param>
/// <param name="dirs">The run's directories.</param>
/// <param name="logFile">The run's worker log, or null when output capture is off.</param>
/// <param name="log">The run's logger (into the worker log).</param>
/// <param name="hostLogger">The host's worker logger (for what happens after capture stopped).</param>
internal sealed class RunFinish(WorkerRequest request, WorkerOptions options, WorkerDirectories dirs, WorkerLogFile? logFile, ILogger log, ILogger hostLogger)
{
    private bool Debugging => options.LogLevel <= LogLevel.Debug;

    /// <summary>The exit code of a finished run: 0 on success; on failure the job's own code, or 1.</summary>
    /// <param name="failed">Whether the attempt failed.</param>
    /// <param name="exitCode">The code the failure asked for (a <see cref="JobExitException"/>'s), or 0.</param>
    /// <returns>The process exit code.</returns>
    public static int ExitCode(bool failed, int exitCode) =>
        failed ? (exitCode == 0 ? WorkerExitCodes.Failed : exitCode) : WorkerExitCodes.Success;

    /// <summary>The result of a run the in-process chaos kill struck: no log, stats or deletions, as after a real kill.</summary>
    /// <param name="request">The run's request.</param>
    /// <param name="dirs">The run's directories (retained).</param>
    /// <param name="stats">The run's stats (for the jobs run).</param>
    /// <param name="error">The failure seen, if any.</param>
    /// <param name="logFile">The run's worker log (an in-memory one is written into the retained directory), or null.</param>
    /// <param name="hostLogger">Where a failed write of the log is logged.</param>
    /// <returns>The result, exit code 137.</returns>
    public static WorkerResult Crashed(WorkerRequest request, WorkerDirectories dirs, RunStats stats, Exception? error, WorkerLogFile? logFile, ILogger hostLogger)
    {
        ArgumentNullException.ThrowIfNull(dirs);
        bool kept = MakeKept(dirs, hostLogger);
        if (kept)
        {
            KeepLog(logFile, dirs, hostLogger);
        }

        logFile?.ReleaseMemory();
        return CrashedResult(request, kept ? dirs.TempDirectory : null, stats, error);
    }

    private static WorkerResult CrashedResult(WorkerRequest request, string? retained, RunStats stats, Exception? error) => new()
    {
        ExitCode = WorkerExitCodes.Killed,
        Failed = true,
        Crashed = true,
        JobsRun = [.. stats.JobsRun],
        JobsRunCount = stats.JobsRunCount,
        JobStoreId = request.JobStoreId,
        Error = error,
        RetainedTempDirectory = retained,
    };

    /// <summary>Finishes the run.</summary>
    /// <param name="job">The last description the run held, or null if none was loaded.</param>
    /// <param name="failed">Whether the attempt failed.</param>
    /// <param name="exitCode">The code the failure asked for, or 0.</param>
    /// <param name="error">The failure.</param>
    /// <param name="stats">The run's stats.</param>
    /// <param name="stopCapture">Stops the log capture (descriptors restored, log file closed).</param>
    /// <param name="finalCommitSkipped">Whether the last job left its commit out (<see cref="CommitChain.SkipFinal"/>).</param>
    /// <returns>The run's result.</returns>
    public async Task<WorkerResult> FinishAsync(JobDescription? job, bool failed, int exitCode, Exception? error, RunStats stats, Action stopCapture, bool finalCommitSkipped = false)
    {
        ArgumentNullException.ThrowIfNull(stats);
        ArgumentNullException.ThrowIfNull(stopCapture);
        CancellationToken none = CancellationToken.None;
        IJobStore store = request.JobStore;
        if (failed)
        {
            job = await ReloadFailedAsync().ConfigureAwait(false);
        }

        stopCapture();

        // Read only when it is stored or sent: a long chain's log can be as large as MaxLogFileSize.
        bool logInStats = !failed && job is not null && (Debugging || (options.WriteLogsFromAllJobs && !job.Local));
        byte[]? logBytes = logFile is null || !(failed || logInStats) ? null : await logFile.ReadKeptAsync(options.MaxLogFileSize, none).ConfigureAwait(false);

        string? logFileId = null;
        if (failed && logBytes is not null && job is not null)
        {
            try
            {
                logFileId = await store.WriteFileAsync((s, ct) => s.WriteAsync(logBytes, ct), job.JobStoreId, cleanup: true, WorkerLogFile.FileName, none).ConfigureAwait(false);
                job.LogJobStoreFileId = logFileId;
                await store.UpdateJobAsync(job, none).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A failed upload must not hide the job's own failure.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                WorkerRunnerLog.LogUploadFailed(hostLogger, ex, request.JobStoreId);
            }
        }
        else if (logInStats && logBytes is not null)
        {
            stats.AddLog(job!, SplitLines(logBytes));
        }

        try
        {
            await stats.WriteAsync(store, none).ConfigureAwait(false);
        }
#pragma warning disable CA1031
        catch (Exception ex)
#pragma warning restore CA1031
        {
            WorkerRunnerLog.StatsFailed(hostLogger, ex, request.JobStoreId);
        }

        // The clean-up ends the liveness lock itself, last (a kill midway leaves a directory a batch system's clean-up
        // takes for a killed worker's); a directory kept on purpose loses its liveness file so it is not taken for one.
        string? retained = CleanWorkDirectory(dirs, options.CleanWorkDir, failed, hostLogger) ? null : dirs.TempDirectory;
        if (retained is not null && !MakeKept(dirs, hostLogger))
        {
            retained = null;
        }

        dirs.EndLiveness();
        if (retained is null && dirs.TempDirectoryCreated)
        {
            dirs.RemoveIfEmpty();
        }
        else if (retained is not null)
        {
            KeepLog(logFile, dirs, hostLogger);
        }

        // Everything that reads the log is done: an in-memory log's chunks go back to the pool.
        logFile?.ReleaseMemory();
        bool subtreeDeleted = job is not null && await DeleteFinishedRecordsAsync(store, job, failed, hostLogger, request.JobStoreId, finalCommitSkipped).ConfigureAwait(false);
        return new WorkerResult
        {
            ExitCode = ExitCode(failed, exitCode),
            Failed = failed,
            JobsRun = [.. stats.JobsRun],
            JobsRunCount = stats.JobsRunCount,
            JobStoreId = request.JobStoreId,
            SubtreeDeleted = subtreeDeleted,
            Error = error,
            LogFileId = logFileId,
            RetainedTempDirectory = retained,
        };
    }

    /// <summary>
    /// Deletes the records nobody needs any more (<c>docs/decisions.md#chaining</c>): the whole chain when the subtree is
    /// done; otherwise every chained-in record whose body has run (the owner ID stays, and so does the record of a job
    /// whose body is still attached, because its body file is stored under it). A failed delete is logged, not thrown.
    /// </summary>
    /// <param name="store">The job store.</param>
    /// <param name="job">The final description.</param>
    /// <param name="failed">Whether the attempt failed.</param>
    /// <param name="hostLogger">Where a failed delete is logged.</param>
    /// <param name="jobStoreId">The issued ID (for the log).</param>
    /// <param name="finalCommitSkipped">
    /// Whether the last job left its commit out (<c>docs/decisions.md#no-final-commit</c>): then the issued record, which
    /// still holds the last durable state, goes first and alone, and if it cannot go the skipped commit is written instead.
    /// </param>
    /// <returns>Whether the whole subtree was deleted.</returns>
    public static async ValueTask<bool> DeleteFinishedRecordsAsync(IJobStore store, JobDescription job, bool failed, ILogger hostLogger, string jobStoreId, bool finalCommitSkipped = false)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(job);
        var chain = job.GetChain();
        bool whole = !failed && job.IsSubtreeDone();
        if (whole && finalCommitSkipped)
        {
            return await DeleteUncommittedChainAsync(store, job, chain, hostLogger, jobStoreId).ConfigureAwait(false);
        }

        try
        {
            if (whole)
            {
                await store.DeleteJobsAsync([.. chain.Select(n => n.JobStoreId)], CancellationToken.None).ConfigureAwait(false);
                return true;
            }

            List<string> done = [];
            for (int i = 0; i < chain.Count; i++)
            {
                string id = chain[i].JobStoreId;
                bool bodyPending = i == chain.Count - 1 && job.HasBody;
                if (id != job.JobStoreId && !bodyPending)
                {
                    done.Add(id);
                }
            }

            await store.DeleteJobsAsync(done, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The leader re-processes the job; a failed delete must not turn success into failure.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            WorkerRunnerLog.DeleteFailed(hostLogger, ex, jobStoreId);
        }

        return false;
    }

    /// <summary>
    /// Deletes a finished chain whose last commit was left out (<c>docs/decisions.md#no-final-commit</c>). The issued
    /// record goes first, in a deletion of its own that is durable before any other record goes: it may still name a
    /// chained-in job to run whose body file is stored under that job's own record, so it must never outlive that record.
    /// Once it is gone the leader takes the subtree for done, and the chained-in records left are unreachable.
    /// </summary>
    private static async ValueTask<bool> DeleteUncommittedChainAsync(IJobStore store, JobDescription job, IReadOnlyList<JobNames> chain, ILogger hostLogger, string jobStoreId)
    {
        CancellationToken none = CancellationToken.None;
        try
        {
            await store.DeleteJobsAsync([job.JobStoreId], none).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The leader re-processes the job; a failed delete must not turn success into failure.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            WorkerRunnerLog.DeleteFailed(hostLogger, ex, jobStoreId);
            try
            {
                // The record still says the job is to run: write the commit that was left out, so the leader sees it done.
                await store.UpdateJobAsync(job, none).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Then the leader retries the job: at least once, as after a crash here.
            catch (Exception commitError)
#pragma warning restore CA1031
            {
                WorkerRunnerLog.CommitFailed(hostLogger, commitError, jobStoreId);
            }

            return false;
        }

        List<string> rest = [];
        foreach (var names in chain)
        {
            if (names.JobStoreId != job.JobStoreId)
            {
                rest.Add(names.JobStoreId);
            }
        }

        try
        {
            await store.DeleteJobsAsync(rest, none).ConfigureAwait(false);
            return true;
        }
#pragma warning disable CA1031 // The subtree is done for the leader; what is left is unreachable.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            WorkerRunnerLog.DeleteFailed(hostLogger, ex, jobStoreId);
            return false;
        }
    }

    /// <summary>
    /// Applies <see cref="WorkerOptions.CleanWorkDir"/> (Toil's <c>cleanWorkDir</c>; "onError" means clean on error): a
    /// directory the run made is removed, one the caller gave is only emptied.
    /// </summary>
    /// <param name="dirs">The run's directories.</param>
    /// <param name="policy">The policy.</param>
    /// <param name="failed">Whether the attempt failed.</param>
    /// <param name="hostLogger">Where a failed removal is logged.</param>
    /// <returns>Whether the directory was cleaned (else it is retained).</returns>
    public static bool CleanWorkDirectory(WorkerDirectories dirs, CleanWorkDirPolicy policy, bool failed, ILogger hostLogger)
    {
        ArgumentNullException.ThrowIfNull(dirs);
        bool remove = policy switch
        {
            CleanWorkDirPolicy.Always => true,
            CleanWorkDirPolicy.OnSuccess => !failed,
            CleanWorkDirPolicy.OnError => failed,
            _ => false,
        };
        if (!remove)
        {
            return false;
        }

        try
        {
            if (dirs.TempDirectoryCreated && !dirs.TempDirectoryMade)
            {
                // Nothing needed the run's directory, so it was never made (WorkerDirectories.EnsureTempDirectory).
                return true;
            }

            if (dirs.TempDirectoryCreated)
            {
                // The run's files first, its liveness file last: killed at any point, the run leaves either a directory
                // whose liveness file is unlocked (taken for a killed worker's and removed) or an empty one (removed as
                // well), never files without a liveness file, which would look kept on purpose and stay.
                RemoveContents(dirs.TempDirectory, keepLiveness: true);
                dirs.EndLiveness();
                Directory.Delete(dirs.TempDirectory, recursive: true);
            }
            else
            {
                // A directory the caller gave us stays; only what the run put in it goes.
                RemoveContents(dirs.TempDirectory, keepLiveness: false);
            }

            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            WorkerRunnerLog.CleanupFailed(hostLogger, ex, dirs.TempDirectory);
            return false;
        }
    }

    /// <summary>
    /// Removes everything in <paramref name="directory"/>, with <paramref name="keepLiveness"/> but a run's liveness file
    /// and the process ID beside it (<see cref="WorkerDirectories.LivenessFileName"/>,
    /// <see cref="WorkerDirectories.ProcessIdFileName"/>).
    /// </summary>
    /// <param name="directory">The directory to empty.</param>
    /// <param name="keepLiveness">Whether the liveness file and the process ID stay.</param>
    internal static void RemoveContents(string directory, bool keepLiveness)
    {
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo d)
            {
                d.Delete(recursive: true);
            }
            else if (!keepLiveness || entry.Name is not (WorkerDirectories.LivenessFileName or WorkerDirectories.ProcessIdFileName))
            {
                entry.Delete();
            }
        }
    }

    /// <summary>
    /// A directory kept for inspection exists, like Toil's, even when nothing needed it during the run (an in-process run
    /// makes it only then: <see cref="WorkerDirectories.EnsureTempDirectory"/>); false when it could not be made (logged).
    /// </summary>
    private static bool MakeKept(WorkerDirectories dirs, ILogger hostLogger)
    {
        try
        {
            dirs.EnsureTempDirectory();
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            WorkerRunnerLog.KeepLogFailed(hostLogger, ex, dirs.TempDirectory);
            return false;
        }
    }

    /// <summary>A directory kept for inspection holds the run's log: an in-memory log is written into it now.</summary>
    private static void KeepLog(WorkerLogFile? logFile, WorkerDirectories dirs, ILogger hostLogger)
    {
        try
        {
            logFile?.KeepInDirectory();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            WorkerRunnerLog.KeepLogFailed(hostLogger, ex, dirs.TempDirectory);
        }
    }

    private async ValueTask<JobDescription?> ReloadFailedAsync()
    {
        try
        {
            // Discard in-memory state: after chaining the record is the last job that committed (docs/worker-algorithm.md §4 step 2).
            return await request.JobStore.LoadJobAsync(request.JobStoreId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (NoSuchJobException)
        {
            WorkerRunnerLog.FailedJobVanished(log, request.JobStoreId);
            return null;
        }
#pragma warning disable CA1031 // The stats must still be written (Toil crashes here; docs/worker-algorithm.md §4 step 2).
        catch (Exception ex)
#pragma warning restore CA1031
        {
            WorkerRunnerLog.LogUploadFailed(log, ex, request.JobStoreId);
            return null;
        }
    }

    private static List<string> SplitLines(byte[] log)
    {
        string text = Encoding.UTF8.GetString(log);
        var lines = new List<string>();
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            lines.Add(line.ToString());
        }

        if (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }
}
