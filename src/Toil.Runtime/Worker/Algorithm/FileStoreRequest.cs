using Microsoft.Extensions.Logging;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Worker;

/// <summary>What the runner gives a new per-job file store (a struct: one is made per job and read once).</summary>
/// <param name="JobStore">The job store (fenced while chaos testing).</param>
/// <param name="Job">The live description the store serves and commits.</param>
/// <param name="LocalTempDirectory">The job's own temporary directory, or <see langword="null"/> for a commit-only store (a chaining step).</param>
/// <param name="WorkerTempDirectory">The run's temporary directory.</param>
/// <param name="WaitForPreviousCommit">Completes when the previous job's commit is durable; rethrows its failure.</param>
/// <param name="Logger">The run's job logger.</param>
/// <param name="AsynchronousCommit">Whether the store commits in the background (<see cref="WorkerOptions.AsynchronousCommits"/>).</param>
/// <param name="LocalTempKnownAbsent">Whether <paramref name="LocalTempDirectory"/> is a full path known not to exist yet (a fresh name in a directory the run made).</param>
/// <param name="EnsureWorkerDirectory">
/// Makes <paramref name="WorkerTempDirectory"/> (and takes the run's liveness lock) before anything is made in it: a run
/// makes its own directory only when something needs it. <see langword="null"/> when it exists.
/// </param>
internal readonly record struct FileStoreRequest(
    IJobStore JobStore,
    JobDescription Job,
    string? LocalTempDirectory,
    string WorkerTempDirectory,
    Func<CancellationToken, ValueTask> WaitForPreviousCommit,
    ILogger Logger,
    bool AsynchronousCommit = false,
    bool LocalTempKnownAbsent = false,
    Action? EnsureWorkerDirectory = null);
