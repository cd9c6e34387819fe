using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;

namespace Toil.Runtime.Worker;

/// <summary>Settings of the worker (Toil's worker-related command-line options). Bound through <c>IOptions&lt;WorkerOptions&gt;</c>.</summary>
public sealed class WorkerOptions : IValidatableObject
{
    /// <summary>The default of <see cref="MaxJobsRunListed"/>: 1,000 jobs.</summary>
    public const int DefaultMaxJobsRunListed = 1000;

    /// <summary>
    /// The log size policy (docs/decisions.md#log-truncation): &gt; 0 keeps the last N bytes, &lt; 0 keeps the first |N| bytes, 0 keeps all.
    /// Cuts land on UTF-8 character boundaries. The default value is 100 MiB (Toil's default).
    /// </summary>
    public long MaxLogFileSize { get; set; } = 100L * 1024 * 1024;

    /// <summary>When the worker temporary directory is removed. The default value is <see cref="CleanWorkDirPolicy.Always"/>.</summary>
    public CleanWorkDirPolicy CleanWorkDir { get; set; } = CleanWorkDirPolicy.Always;

    /// <summary>Whether chaining is off (each worker runs exactly one job). The default value is <see langword="false"/>.</summary>
    public bool DisableChaining { get; set; }

    /// <summary>Whether worker output capture (the worker log) is off. The default value is <see langword="false"/>.</summary>
    public bool DisableWorkerOutputCapture { get; set; }

    /// <summary>Whether successful non-local jobs send their worker log to the leader. The default value is <see langword="false"/>.</summary>
    public bool WriteLogsFromAllJobs { get; set; }

    /// <summary>
    /// The most jobs <see cref="WorkerResult.JobsRun"/> lists: the first ones run, so that a run chaining through a very
    /// long chain keeps flat memory; <see cref="WorkerResult.JobsRunCount"/> always has the true count. 0 lists none.
    /// The default value is <see cref="DefaultMaxJobsRunListed"/> (1,000).
    /// </summary>
    [Range(0, int.MaxValue)]
    public int MaxJobsRunListed { get; set; } = DefaultMaxJobsRunListed;

    /// <summary>The minimum level written to the worker log. The default value is <see cref="LogLevel.Information"/>.</summary>
    public LogLevel LogLevel { get; set; } = LogLevel.Information;

    /// <summary>The work directory under which per-workflow directories are made; <see langword="null"/> means the system temp directory. The default value is <see langword="null"/>.</summary>
    public string? WorkDir { get; set; }

    /// <summary>The node-local coordination directory (deferred functions, job state); <see langword="null"/> means derived from <see cref="WorkDir"/>. The default value is <see langword="null"/>.</summary>
    public string? CoordinationDir { get; set; }

    /// <summary>Whether local jobs may chain into non-local successors on a worker. The default value is <see langword="false"/>; when set it overrides the workflow configuration.</summary>
    public bool RunLocalJobsOnWorkers { get; set; }

    /// <summary>Chaos testing (Toil's <c>badWorker</c>): the probability that a worker is killed at a random point. The default value is 0.</summary>
    [Range(0.0, 1.0)]
    public double BadWorker { get; set; }

    /// <summary>
    /// How long the run waits at its end for the job store to finish the chain's commits before it gives up and reports
    /// the attempt as failed. The default value is 10 minutes.
    /// </summary>
    public TimeSpan CommitWaitTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Chaos testing (Toil's <c>badWorkerFailInterval</c>): the largest delay before the kill. The default value is 10 ms.</summary>
    public TimeSpan BadWorkerFailInterval { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// How many records of jobs chained into the issued ID the worker lets accumulate before it deletes them in one
    /// batch (<see cref="JobStores.IJobStore.DeleteJobsAsync"/>) during a chain. Until then the record under the issued
    /// ID lists them, so a larger batch means fewer, cheaper deletions but a larger record to write per chained job. 1
    /// deletes each as soon as its successor's commit is durable. The default value is 8.
    /// </summary>
    [Range(1, 1024)]
    public int ChainedRecordDeleteBatch { get; set; } = 8;

    /// <summary>
    /// Whether each job's commit is written in the background while the next chained job runs (Toil's caching file
    /// store), instead of before it starts. The commits stay strictly ordered and the run waits for all of them before it
    /// reports success, so a failed commit still fails the attempt; what changes is that a killed worker may rerun the
    /// last two jobs of its chain instead of the last one. Ignored for an <see cref="JobStores.InMemoryJobStore"/>, whose
    /// writes cost less than handing them to another thread. The default value is <see langword="true"/>.
    /// </summary>
    public bool AsynchronousCommits { get; set; } = true;

    /// <summary>
    /// With <see cref="AsynchronousCommits"/>: how many more chained jobs than an asynchronous commit's two a killed
    /// worker may rerun (group commits, <c>docs/decisions.md#group-commits</c>). While a write of the issued job's record
    /// is in flight, a chained job's commit may be left to the next write, which supersedes it, so several chained jobs
    /// cost one durable write; a killed worker reruns every job since the last durable write, at most this many plus two.
    /// 0 writes every commit. The default value is 16.
    /// </summary>
    [Range(0, 4096)]
    public int MaxUncommittedJobs { get; set; } = 16;

    /// <summary>
    /// With <see cref="MaxUncommittedJobs"/> above 0: how long the oldest commit left to a later write may wait for it
    /// before the next chained job waits for the write in flight and writes its own. The default value is 100 ms.
    /// </summary>
    public TimeSpan MaxUncommittedTime { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Checks what the attributes cannot: enumerations, time spans, directories.</summary>
    /// <param name="validationContext">The context (unused).</param>
    /// <returns>One result per problem; none when the options are valid.</returns>
    /// <remarks>The generated <c>WorkerOptionsValidator</c> runs it after the attributes' checks.</remarks>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (MaxLogFileSize == long.MinValue)
        {
            yield return new($"{nameof(MaxLogFileSize)} must be greater than {long.MinValue}");
        }

        if (BadWorkerFailInterval <= TimeSpan.Zero || BadWorkerFailInterval > TimeSpan.FromDays(1))
        {
            yield return new($"{nameof(BadWorkerFailInterval)} must be positive and at most one day (was {BadWorkerFailInterval})");
        }

        if (CommitWaitTimeout <= TimeSpan.Zero)
        {
            yield return new($"{nameof(CommitWaitTimeout)} must be positive (was {CommitWaitTimeout})");
        }

        if (MaxUncommittedTime < TimeSpan.Zero || MaxUncommittedTime > TimeSpan.FromHours(1))
        {
            yield return new($"{nameof(MaxUncommittedTime)} must be between zero and one hour (was {MaxUncommittedTime})");
        }

        if (!Enum.IsDefined(CleanWorkDir))
        {
            yield return new($"{nameof(CleanWorkDir)} is not a known policy ({(int)CleanWorkDir})");
        }

        if (!Enum.IsDefined(LogLevel) || LogLevel == LogLevel.None)
        {
            yield return new($"{nameof(LogLevel)} must be Trace through Critical (was {LogLevel})");
        }

        if (WorkDir is not null && (string.IsNullOrWhiteSpace(WorkDir) || !Directory.Exists(WorkDir)))
        {
            yield return new($"{nameof(WorkDir)} '{WorkDir}' does not exist");
        }

        if (CoordinationDir is not null && string.IsNullOrWhiteSpace(CoordinationDir))
        {
            yield return new($"{nameof(CoordinationDir)} must not be empty when set");
        }
    }
}
