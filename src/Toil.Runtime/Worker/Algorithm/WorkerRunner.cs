using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Toil.Runtime.Authoring;
using Toil.Runtime.Deferred;
using Toil.Runtime.FileStores;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Logging;

namespace Toil.Runtime.Worker;

/// <summary>
/// The worker (Toil's <c>workerScript</c>; <c>docs/worker-algorithm.md</c>): loads the issued job, tidies
/// it, restores a failed checkpoint, runs its body and every successor it may chain into, commits each in order,
/// stores the truncated log of a failed attempt, writes the stats, cleans the work directory and deletes the finished
/// chain. Every piece of failure state lives on the run (<c>docs/decisions.md#failure-state-per-run</c>): runs in one
/// process never see each other's failures.
/// </summary>
public sealed class WorkerRunner : IWorkerRunner
{
    private const string WorkerCategory = "Toil.Runtime.Worker";
    private const string JobCategory = "Toil.Runtime.Job";
    private static readonly string Version = typeof(WorkerRunner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";

    // The host's name for each run's start line, read once (Environment.MachineName is an uname call each time).
    private static readonly string HostName = Environment.MachineName;

    private static int s_processModeRun;
    private readonly IJobBodyInvoker _invoker;
    private readonly IDeferredFunctionManagerFactory _deferred;
    private readonly IOptions<WorkerOptions> _options;
    private readonly IServiceProvider _services;
    private readonly ILogger _hostLogger;
    private readonly ILogger _hostJobLogger;
    private readonly ILogger _hostRealtimeLogger;
    private readonly RealtimeLoggingRequest _realtimeRequest;
    private readonly TimeProvider _time;
    private readonly Func<FileStoreRequest, IChainingFileStore> _fileStores;

    /// <summary>Creates a runner.</summary>
    /// <param name="invoker">Runs job bodies (the authoring layer).</param>
    /// <param name="deferred">Opens each run's deferred-function manager.</param>
    /// <param name="options">The worker options (validated on first use).</param>
    /// <param name="services">The service provider job types are resolved from.</param>
    /// <param name="loggerFactory">The host's logging; every run also writes its own worker log. Defaults to none.</param>
    /// <param name="timeProvider">The clock for stats and chaos delays. Defaults to <see cref="TimeProvider.System"/>.</param>
    /// <param name="realtimeLogging">
    /// What the leader asked of real-time logging (the settings <c>AddToilRealtimeLogging</c> registered): the level of
    /// each run's <see cref="JobContext.RealtimeLogger"/>, whose records go to <paramref name="loggerFactory"/> (where a
    /// <see cref="RealtimeLoggerProvider"/> sends them) and into the worker log. Defaults to
    /// <see cref="RealtimeLoggingRequest.Disabled"/> (critical records only).
    /// </param>
    public WorkerRunner(
        IJobBodyInvoker invoker,
        IDeferredFunctionManagerFactory deferred,
        IOptions<WorkerOptions> options,
        IServiceProvider services,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null,
        RealtimeLoggingRequest? realtimeLogging = null)
        : this(invoker, deferred, options, services, loggerFactory, timeProvider, DefaultFileStore, realtimeLogging)
    {
    }

    internal WorkerRunner(
        IJobBodyInvoker invoker,
        IDeferredFunctionManagerFactory deferred,
        IOptions<WorkerOptions> options,
        IServiceProvider services,
        ILoggerFactory? loggerFactory,
        TimeProvider? timeProvider,
        Func<FileStoreRequest, IChainingFileStore> fileStores,
        RealtimeLoggingRequest? realtimeLogging = null)
    {
        _invoker = invoker ?? throw new ArgumentNullException(nameof(invoker));
        _deferred = deferred ?? throw new ArgumentNullException(nameof(deferred));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _services = services ?? throw new ArgumentNullException(nameof(services));
        _fileStores = fileStores ?? throw new ArgumentNullException(nameof(fileStores));
        loggerFactory ??= NullLoggerFactory.Instance;
        _hostLogger = loggerFactory.CreateLogger(WorkerCategory);
        _hostJobLogger = loggerFactory.CreateLogger(JobCategory);
        _hostRealtimeLogger = loggerFactory.CreateLogger(RealtimeLogger.CategoryName);
        _realtimeRequest = realtimeLogging ?? RealtimeLoggingRequest.Disabled;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public async Task<WorkerResult> RunAsync(WorkerRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.JobStore);
        ArgumentException.ThrowIfNullOrEmpty(request.JobStoreId);
        WorkerOptions options = _options.Value;
        bool ownsProcess = request.Mode == WorkerMode.Process;
        if (ownsProcess && Interlocked.CompareExchange(ref s_processModeRun, 1, 0) != 0)
        {
            // Descriptors 1 and 2, the console and the environment belong to the process: one owner at a time.
            throw new InvalidOperationException("Another process-mode worker run is active in this process; only one run at a time may own the process.");
        }

        try
        {
            return await RunOwnedAsync(request, options, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (ownsProcess)
            {
                Volatile.Write(ref s_processModeRun, 0);
            }
        }
    }

    private async Task<WorkerResult> RunOwnedAsync(WorkerRequest request, WorkerOptions options, CancellationToken cancellationToken)
    {
        WorkerDirectories directories;
        WorkerLogFile? logFile = null;
        StandardStreamRedirection? redirection = null;
        try
        {
            directories = WorkerDirectories.Create(options, request.JobStore.Config.WorkflowId, request.TempDirectory, nameProcess: request.Mode == WorkerMode.Process);
            if (request.Mode == WorkerMode.Process && LaunchingLeader.IsGone(Environment.GetEnvironmentVariable(LaunchingLeader.Variable)))
            {
                // Checked after the liveness lock is held: a restarted leader's fence either saw the lock and kills this
                // process, or ran before it was taken, after the launching leader had died (docs/decisions.md#restart-fence).
                WorkerRunnerLog.LeaderGone(_hostLogger, request.JobStoreId, Environment.GetEnvironmentVariable(LaunchingLeader.Variable)!);
                directories.EndLiveness();
                directories.DeleteTempDirectory();
                directories.Dispose();
                return new WorkerResult { ExitCode = WorkerExitCodes.LeaderGone, Failed = true, JobsRun = [], JobStoreId = request.JobStoreId };
            }

            if (!options.DisableWorkerOutputCapture)
            {
                if (request.Mode == WorkerMode.Process)
                {
                    logFile = WorkerLogFile.Open(directories.LogPath);
                    redirection = StandardStreamRedirection.Start(logFile);
                }
                else
                {
                    // In-process nothing outside the run writes into the log: it stays in memory (docs/decisions.md#log-capture).
                    logFile = WorkerLogFile.InMemory(directories.LogPath, directories.EnsureTempDirectoryAction);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            logFile?.Dispose();
            WorkerRunnerLog.SetupFailed(_hostLogger, ex, request.JobStoreId);
            return new WorkerResult { ExitCode = WorkerExitCodes.Failed, Failed = true, JobsRun = [], JobStoreId = request.JobStoreId, Error = ex };
        }

        var run = new Run(this, request, options, directories, logFile, redirection);
        try
        {
            return await run.ExecuteAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            run.Dispose();
            directories.Dispose();
        }
    }

    // A chaining step's store only commits: it gets the run's directory instead of a job directory of its own.
    private static IChainingFileStore DefaultFileStore(FileStoreRequest request) =>
        new NonCachingFileStore(request.JobStore, request.Job, request.LocalTempDirectory ?? request.WorkerTempDirectory, request.Logger, request.WaitForPreviousCommit, WorkerDirectories.DirectoryMode, request.AsynchronousCommit, request.LocalTempDirectory is not null && request.LocalTempKnownAbsent, request.EnsureWorkerDirectory);

    /// <summary>
    /// One invocation, step by step as <c>docs/worker-algorithm.md</c> tells it. Everything Toil keeps in globals lives
    /// here (<c>docs/decisions.md#failure-state-per-run</c>); each side concern is its own type: <see cref="ChaosKiller"/>,
    /// <see cref="JobPreparation"/>, <see cref="RunStats"/>, <see cref="CommitChain"/>, <see cref="ChainedRecordDeletion"/>
    /// and <see cref="RunFinish"/>.
    /// </summary>
    private sealed class Run : IDisposable
    {
        private readonly WorkerRunner _owner;
        private readonly WorkerRequest _request;
        private readonly WorkerOptions _options;
        private readonly WorkerDirectories _dirs;
        private readonly WorkerLogFile? _logFile;
        private readonly ILogger _log;
        private readonly ILogger _jobLog;
        private readonly RealtimeLogger _realtimeLog;
        private readonly RunStats _stats;
        private readonly CommitChain _commits;
        private StandardStreamRedirection? _redirection;
        private ChaosKiller? _chaos;
        private IJobStore _store;
        private bool _asynchronousCommits;
        private ChainedRecordDeletion _deletion;

        public Run(WorkerRunner owner, WorkerRequest request, WorkerOptions options, WorkerDirectories dirs, WorkerLogFile? logFile, StandardStreamRedirection? redirection)
        {
            _owner = owner;
            _request = request;
            _options = options;
            _dirs = dirs;
            _logFile = logFile;
            _redirection = redirection;
            _store = request.JobStore;
            _commits = new CommitChain(options.CommitWaitTimeout, owner._time, request.JobStoreId, options.MaxUncommittedJobs, options.MaxUncommittedTime);
            _deletion = new ChainedRecordDeletion(options.ChainedRecordDeleteBatch, background: false, owner._hostLogger);
            _stats = new RunStats(
                dirs.TempDirectory,
                recordNames: logFile is not null && (options.LogLevel <= LogLevel.Debug || options.WriteLogsFromAllJobs),
                options.MaxJobsRunListed,
                owner._time,
                ex => WorkerRunnerLog.StatsSpoolFailed(owner._hostLogger, ex),
                dirs.EnsureTempDirectoryAction);
            // In process mode descriptors 1 and 2 write to the log file past it, so no line may wait there for a later write.
            _log = new RunTeeLogger(owner._hostLogger, logFile, options.LogLevel, WorkerCategory, owner._time, WorkerRunnerLog.IsWorkerLogLine, redirection is null ? WorkerRunnerLog.IsHeldLine : null);
            _jobLog = new RunTeeLogger(owner._hostJobLogger, logFile, options.LogLevel, JobCategory, owner._time);

            // Toil's toil-rt logger propagates to the worker log's handler, which has no level of its own: only the
            // real-time level filters these records, not the worker's LogLevel.
            _realtimeLog = new RealtimeLogger(
                new RunTeeLogger(owner._hostRealtimeLogger, logFile, LogLevel.Trace, RealtimeLogger.CategoryName, owner._time),
                owner._realtimeRequest);
        }

        private bool IsCrashed => _chaos?.IsCrashed == true;

        /// <summary>
        /// Closes the run's deferred-function manager. A manager that throws (the built-in ones log and never do) does not
        /// decide the attempt, as in Toil, whose worker logs a failure of its own deferred functions at exit: the job's
        /// outcome is its commit. The failure goes to the worker log and the host.
        /// </summary>
        private async ValueTask CloseDeferredAsync(IDeferredFunctionManager deferred)
        {
            try
            {
                await deferred.DisposeAsync().ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A custom manager's failure at close is reported, not thrown past the run.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                if (!IsCrashed)
                {
                    WorkerRunnerLog.DeferredCloseFailed(_log, ex);
                }
            }
        }

        public async Task<WorkerResult> ExecuteAsync(CancellationToken cancellationToken)
        {
            // §1 Start-up: log capture (directories and the log file are made by the caller), chaos.
            using var capture = _logFile is null ? null : AmbientWorkerLog.Begin(_logFile, _options.LogLevel, _owner._time);
            ArmChaos();
            using var linked = _chaos!.IsFenced ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _chaos.Token) : null;
            CancellationToken token = linked?.Token ?? cancellationToken;

            JobDescription? job = null;
            bool failed = false;
            int exitCode = WorkerExitCodes.Success;
            Exception? error = null;
            IDeferredFunctionManager? deferred = null;
            try
            {
                LogStart();

                // §1 Start-up: the environment, then the deferred-function manager.
                var environment = await WorkerEnvironment.LoadAsync(_store, Environment.GetEnvironmentVariable("PATH"), token).ConfigureAwait(false);
                if (_request.Mode == WorkerMode.Process)
                {
                    WorkerEnvironment.ApplyToProcess(environment);
                }

                deferred = await _owner._deferred.OpenAsync(_dirs.CoordinationDirectory, token).ConfigureAwait(false);

                // §2 Load and pre-run cleanup.
                job = await _store.LoadJobAsync(_request.JobStoreId, token).ConfigureAwait(false);
                await JobPreparation.PrepareAsync(_store, job, _log, token).ConfigureAwait(false);

                // §3 The loop: run each body, chaining into the next while the rules allow.
                _stats.StartChain(job);
                JobNames names = job.GetNames();
                while (true)
                {
                    WorkerRunnerLog.WorkingOn(_log, job);
                    if (!job.HasBody)
                    {
                        WorkerRunnerLog.NoBody(_log);
                        break;
                    }

                    var (successor, successorNames) = await RunBodyAsync(job, names, environment, deferred, token).ConfigureAwait(false);
                    if (successor is null)
                    {
                        break;
                    }

                    names = successorNames!;
                    job = successor;
                }

                double wall = _stats.FinishChain();
                if (_logFile is not null)
                {
                    WorkerRunnerLog.LogLocation(_log, _dirs.TempDirectory);
                }

                WorkerRunnerLog.Finished(_log, wall);
            }
#pragma warning disable CA1031 // Every failure of user code or storage fails the attempt; the leader decides what to do.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failed = true;
                error = ex;
                exitCode = ex is JobExitException exit ? exit.ExitCode : WorkerExitCodes.ForFailure(ex);
                if (!IsCrashed)
                {
                    WorkerRunnerLog.Crashed(_log, ex);
                    WorkerRunnerLog.ExitingOnFailure(_log, Environment.MachineName);
                }
            }
            finally
            {
                if (deferred is not null)
                {
                    await CloseDeferredAsync(deferred).ConfigureAwait(false);
                }
            }

            // §4 step 1, Toil's blockFn(): the whole commit chain must be durable before the attempt is judged. A commit
            // left to a later write that never came (the last chained job had no body, or failed) is written first.
            try
            {
                if (!IsCrashed)
                {
                    await _commits.FlushAsync().ConfigureAwait(false);
                }

                await _commits.WaitForAllAsync().ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A failed commit fails the attempt; it is reported, not thrown.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                if (!failed)
                {
                    failed = true;
                    error = ex;
                    exitCode = WorkerExitCodes.ForFailure(ex);
                }

                if (!IsCrashed)
                {
                    WorkerRunnerLog.CommitFailed(_log, ex, _request.JobStoreId);
                }
            }

            // The chain's names still list what a background deletion was removing, so its outcome needs no bookkeeping here.
            await _deletion.SettleAsync().ConfigureAwait(false);
            if (IsCrashed)
            {
                WorkerRunnerLog.ChaosCrashed(_owner._hostLogger, _request.JobStoreId);
                StopCapture();
                return RunFinish.Crashed(_request, _dirs, _stats, error, _logFile, _owner._hostLogger);
            }

            // §4 steps 2–8: the log, the stats, the work directory, the finished records, the exit code.
            Telemetry.WorkerTelemetry.ChainFinished(_stats.JobsRunCount, failed);
            var finish = new RunFinish(_request, _options, _dirs, _logFile, _log, _owner._hostLogger);
            return await finish.FinishAsync(job, failed, exitCode, error, _stats, StopCapture, _commits.FinalCommitSkipped).ConfigureAwait(false);
        }

        public void Dispose()
        {
            StopCapture();
            _stats.Dispose();
            _chaos?.Dispose();
        }

        private void ArmChaos()
        {
            _chaos = ChaosKiller.Arm(_options, _request.Mode, _request.JobStore, _owner._time, _log);
            _store = _chaos.Store;

            // A store whose writes cost a memory copy gains nothing from background commits (docs/worker-algorithm.md, "Asynchronous commits").
            _asynchronousCommits = _options.AsynchronousCommits && _store is not IJobStoreTraits { WritesAreInMemory: true };
            _deletion = new ChainedRecordDeletion(_options.ChainedRecordDeleteBatch, _asynchronousCommits, _owner._hostLogger);
        }

        private void LogStart()
        {
            WorkerRunnerLog.Banner(_log);
            WorkerRunnerLog.Starting(_log, Version, _request.JobStoreId, _request.JobName ?? "unnamed", HostName, _request.Mode);
            WorkerRunnerLog.Options(_log, _options.MaxLogFileSize, _options.CleanWorkDir, _options.DisableChaining, _dirs.TempDirectory, _dirs.CoordinationDirectory);
            WorkerRunnerLog.RealtimeLogging(_log, _owner._realtimeRequest);
        }

        /// <summary>
        /// §3 steps 2–7: runs the job's body and commits it, alone or folded into the write that chains its successor
        /// (<c>docs/worker-algorithm.md</c>, "Chaining commits"). Returns the successor to run next, if it chained.
        /// </summary>
        private async ValueTask<(JobDescription? Successor, JobNames? SuccessorNames)> RunBodyAsync(JobDescription job, JobNames names, IReadOnlyDictionary<string, string> environment, IDeferredFunctionManager deferred, CancellationToken token)
        {
            if (job is CheckpointJobDescription checkpoint)
            {
                checkpoint.SetCheckpoint();
            }

            string jobDirectory = _dirs.NextJobDirectory();
            var fileStore = _owner._fileStores(new FileStoreRequest(_store, job, jobDirectory, _dirs.TempDirectory, _commits.Last, _jobLog, _asynchronousCommits, LocalTempKnownAbsent: _dirs.TempDirectoryCreated, EnsureWorkerDirectory: _dirs.EnsureTempDirectoryAction));
            _commits.Follow(fileStore.WaitForCommitAsync);
            var measurement = _stats.BeginJob(job, names);
            var span = Telemetry.WorkerTelemetry.StartJob(job);
            bool succeeded = false;
            bool chainedOn = false;
            try
            {
                var invocation = InvokeBodyAsync(job, fileStore, environment, deferred, token);
                if (!invocation.IsCompleted)
                {
                    // The body waits for something: its "Working on job" line goes out now rather than when the body ends.
                    _logFile?.ReleaseHeld();
                }

                var outcome = await invocation.ConfigureAwait(false);
                if (job is CheckpointJobDescription cp)
                {
                    cp.CheckpointFilesToDelete.Clear();
                    cp.CheckpointFilesToDelete.AddRange(outcome.ConsumedPromiseFileIds);
                }
                else
                {
                    foreach (string fileId in outcome.ConsumedPromiseFileIds)
                    {
                        await fileStore.DeleteGlobalFileAsync(fileId, token).ConfigureAwait(false);
                    }
                }

                if (job.HasBody)
                {
                    job.DetachBody();
                }

                token.ThrowIfCancellationRequested();
                WorkerRunnerLog.CompletedBody(_log, job);

                // At most one write in flight: the previous write must be done before this one starts, and a failed commit
                // fails the attempt here (Toil's terminate flag) instead of after the rest of the chain. While it is still
                // in flight a chained job without deletions may instead leave its commit to a later write of the record
                // (docs/decisions.md#group-commits): a killed worker then reruns every job since the last durable write.
                bool coalesce = _commits.CanCoalesce() && !job.HasFilesToDelete && !fileStore.HasPendingDeletes;
                if (!coalesce)
                {
                    await _commits.WaitAsync(token).ConfigureAwait(false);
                }

                JobDescription? successor = await NextChainableAsync(job, token).ConfigureAwait(false);
                JobNames? successorNames = null;
                if (successor is null && CommitChain.CanSkipFinal(job, fileStore))
                {
                    // The run deletes the whole chain next: no write of a record about to go (docs/decisions.md#no-final-commit).
                    _commits.SkipFinal();
                }
                else if (successor is null)
                {
                    await fileStore.StartCommitAsync(jobState: true, token).ConfigureAwait(false);
                    _commits.Started(fileStore, tail: null);
                }
                else
                {
                    successorNames = successor.GetNames();
                    await ChainAsync(job, successor, fileStore, coalesce, token).ConfigureAwait(false);
                }

                succeeded = true;
                chainedOn = successor is not null;
                return (successor, successorNames);
            }
            finally
            {
                _stats.EndJob(measurement, job, fileStore, jobDirectory, succeeded, _log, chainedOn);
                Telemetry.WorkerTelemetry.EndJob(span, succeeded);
            }
        }

        /// <summary>§3 step 3: the body runs in a deferred-function scope whose functions run when it ends, success or failure.</summary>
        private async ValueTask<JobBodyOutcome> InvokeBodyAsync(JobDescription job, IChainingFileStore fileStore, IReadOnlyDictionary<string, string> environment, IDeferredFunctionManager deferred, CancellationToken token)
        {
            var scope = await deferred.BeginJobAsync(token).ConfigureAwait(false);
            try
            {
                return await _owner._invoker.InvokeAsync(
                    new JobInvocation
                    {
                        Job = job,
                        JobStore = _store,
                        FileStore = fileStore,
                        Deferred = scope,
                        Logger = _jobLog,
                        RealtimeLogger = _realtimeLog,
                        Environment = environment,
                        ChildOutput = _request.Mode == WorkerMode.InProcess ? _logFile?.ChildOutput : null,
                        Services = _owner._services,
                    },
                    token).ConfigureAwait(false);
            }
            finally
            {
                try
                {
                    await scope.RunAsync(token).ConfigureAwait(false);
                }
                finally
                {
                    await scope.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        /// <summary>§3 step 6: the successor to chain into, or none (with the reason logged).</summary>
        private async ValueTask<JobDescription?> NextChainableAsync(JobDescription job, CancellationToken token)
        {
            if (_options.DisableChaining)
            {
                // Toil still loads the successor here; nothing uses it, so we do not.
                WorkerRunnerLog.NotChaining(_log, job, "chaining is disabled");
                return null;
            }

            var (successor, reason) = await ChainingRules.NextChainableAsync(job, _store, _options.RunLocalJobsOnWorkers || _store.Config.RunLocalJobsOnWorkers, token).ConfigureAwait(false);
            if (successor is null)
            {
                WorkerRunnerLog.NotChaining(_log, job, reason!);
            }

            return successor;
        }

        /// <summary>
        /// §3 step 7, with the predecessor's commit folded in: the successor takes the issued ID and one write records
        /// the predecessor done and the successor (body attached) to run under that ID. The predecessor's pending deletions
        /// ride in that write's journal. Toil writes the two states one after the other; the folded write goes straight to
        /// the second, and a crash before it leaves the first job to rerun, as a crash before Toil's first write does.
        /// </summary>
        /// <remarks>
        /// With <paramref name="coalesce"/> the write is left to a later one (<see cref="CommitChain.Coalesce"/>): the
        /// successor still takes the issued ID and runs, and the next write records it, or <see cref="CommitChain.FlushAsync"/>.
        /// </remarks>
        private async ValueTask ChainAsync(JobDescription predecessor, JobDescription successor, IChainingFileStore fileStore, bool coalesce, CancellationToken token)
        {
            if (predecessor.Memory < successor.Memory || predecessor.Cores < successor.Cores)
            {
                throw new InvalidOperationException($"Cannot chain {successor} into {predecessor}: it needs more memory or cores.");
            }

            await _deletion.DeleteDueBatchAsync(predecessor, _store, _commits, token).ConfigureAwait(false);

            // Its text before it takes the issued ID, for a debug line most runs do not write.
            string? successorId = _log.IsEnabled(LogLevel.Debug) ? successor.ToString() : null;
            IChainingFileStore? commitStore = null;
            if (predecessor.HasFilesToDelete)
            {
                // A journal left by a killed worker's commit of this job: finish it with a commit of its own first (only
                // the issued job can carry one), then write the successor with a commit-only store, as Toil does.
                await fileStore.StartCommitAsync(jobState: true, token).ConfigureAwait(false);
                _commits.Started(fileStore, predecessor.MergedJobNamesOrNull is { Count: > 0 } own ? own[^1].JobStoreId : null);
                await _commits.WaitAsync(token).ConfigureAwait(false);
                commitStore = _owner._fileStores(new FileStoreRequest(_store, successor, null, _dirs.TempDirectory, _commits.Last, _jobLog, _asynchronousCommits, EnsureWorkerDirectory: _dirs.EnsureTempDirectoryAction));
                _commits.Follow(commitStore.WaitForCommitAsync);
            }

            successor.Replace(predecessor);
            _stats.AddChained(successor.MergedJobNamesOrNull![^1].StatsName);
            if (successorId is not null)
            {
                WorkerRunnerLog.Chaining(_log, predecessor, successorId);
            }

            string tail = successor.MergedJobNamesOrNull![^1].JobStoreId;
            if (commitStore is not null)
            {
                await commitStore.StartCommitAsync(jobState: true, token).ConfigureAwait(false);
                _commits.Started(commitStore, tail);
            }
            else if (coalesce)
            {
                _commits.Coalesce(fileStore, successor);
            }
            else
            {
                await fileStore.StartCommitAsync(successor, token).ConfigureAwait(false);
                _commits.Started(fileStore, tail);
            }
        }

        private void StopCapture()
        {
            try
            {
                _redirection?.Dispose();
            }
            finally
            {
                _redirection = null;
                _logFile?.Dispose();
            }
        }
    }
}
