using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Toil.Runtime.Authoring;
using Toil.Runtime.Deferred;
using Toil.Runtime.FileStores;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Logging;
using Toil.Runtime.Stats;

namespace Toil.Runtime.Worker;

/// <summary>
/// The worker (Toil's <c>workerScript</c>, reference §3; <c>docs/worker-algorithm.md</c>): loads the issued job, tidies
/// it, restores a failed checkpoint, runs its body and every successor it may chain into, commits each in order,
/// stores the truncated log of a failed attempt, writes the stats, cleans the work directory and deletes the finished
/// chain. Every piece of failure state lives on the run (DESIGN D4): runs in one process never see each other's failures.
/// </summary>
public sealed class WorkerRunner : IWorkerRunner
{
    private const string WorkerCategory = "Toil.Runtime.Worker";
    private const string JobCategory = "Toil.Runtime.Job";
    private static readonly string Version = typeof(WorkerRunner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";

    private static int s_processModeRun;
    private readonly IJobBodyInvoker _invoker;
    private readonly IDeferredFunctionManagerFactory _deferred;
    private readonly IOptions<WorkerOptions> _options;
    private readonly IServiceProvider _services;
    private readonly ILogger _hostLogger;
    private readonly ILogger _hostJobLogger;
    private readonly ILogger _hostRealtimeLogger;
    private readonly RealtimeLoggingSettings _realtimeSettings;
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
    /// <see cref="RealtimeLoggingSettings.Disabled"/> (critical records only).
    /// </param>
    public WorkerRunner(
        IJobBodyInvoker invoker,
        IDeferredFunctionManagerFactory deferred,
        IOptions<WorkerOptions> options,
        IServiceProvider services,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null,
        RealtimeLoggingSettings? realtimeLogging = null)
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
        RealtimeLoggingSettings? realtimeLogging = null)
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
        _realtimeSettings = realtimeLogging ?? RealtimeLoggingSettings.Disabled;
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
            directories = WorkerDirectories.Create(options, request.JobStore.Config.WorkflowId, request.TempDirectory);
            if (!options.DisableWorkerOutputCapture)
            {
                logFile = WorkerLogFile.Open(directories.LogPath);
                if (request.Mode == WorkerMode.Process)
                {
                    redirection = StandardStreamRedirection.Start(logFile);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            logFile?.Dispose();
            WorkerLog.SetupFailed(_hostLogger, ex, request.JobStoreId);
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
        new JobFileStore(request.JobStore, request.Job, request.LocalTempDirectory ?? request.WorkerTempDirectory, request.Logger, request.WaitForPreviousCommit, WorkerDirectories.DirectoryMode, request.AsynchronousCommit, request.LocalTempDirectory is not null && request.LocalTempKnownAbsent);

    private static string Seconds(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static int PythonLevel(LogLevel level) => level switch
    {
        LogLevel.Trace => 5,
        LogLevel.Debug => 10,
        LogLevel.Information => 20,
        LogLevel.Warning => 30,
        LogLevel.Error => 40,
        LogLevel.Critical => 50,
        _ => 0,
    };

    private static TimeSpan CpuTime() =>
        UnixFileDescriptors.ResourceUsage() is { } usage ? usage.Cpu : Environment.CpuUsage.TotalTime;

    /// <summary>The process's CPU time (all threads) and peak resident memory in KiB, from one system call where there is one.</summary>
    private static (TimeSpan Cpu, long PeakKib) ResourceUsage() =>
        UnixFileDescriptors.ResourceUsage() is { } usage
            ? (usage.Cpu, usage.PeakResidentKib)
            : (Environment.CpuUsage.TotalTime, PeakMemoryKib());

    private static long PeakMemoryKib()
    {
        if (Environment.Is64BitProcess && UnixFileDescriptors.PeakResidentKib() is >= 0 and var kib)
        {
            return kib;
        }

        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64 / 1024;
    }

    private static long DirectorySize(string? path)
    {
        if (path is null || !Directory.Exists(path))
        {
            return 0;
        }

        long total = 0;
        try
        {
            foreach (var file in new DirectoryInfo(path).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint }))
            {
                total += file.Length;
            }
        }
        catch (IOException)
        {
        }

        return total;
    }

    /// <summary>One invocation: everything the seed keeps in globals lives here (DESIGN D4).</summary>
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
        private readonly StatsDocument _stats = new();
        private readonly List<JobNames> _jobsRun = [];

        // The stats lists that grow with the chain (job records, leader messages, user streams, and the whole chain's
        // names: the record keeps only those whose records still exist), spooled to the run's directory past the first
        // thousand so that a long chain's memory stays flat.
        private readonly StatsSpool _spool;
        private int _jobsRunCount;
        private StandardStreamRedirection? _redirection;
        private ChaosFence? _fence;
        private Process? _killer;
        private IJobStore _store;
        private Func<CancellationToken, ValueTask> _blockFn = static _ => ValueTask.CompletedTask;
        private Task? _deleting;
        private HashSet<string>? _deletingIds;
        private long _maxDisk;

        public Run(WorkerRunner owner, WorkerRequest request, WorkerOptions options, WorkerDirectories dirs, WorkerLogFile? logFile, StandardStreamRedirection? redirection)
        {
            _owner = owner;
            _request = request;
            _options = options;
            _dirs = dirs;
            _logFile = logFile;
            _redirection = redirection;
            _store = request.JobStore;
            _spool = new StatsSpool(dirs.TempDirectory, recordNames: logFile is not null && (options.LogLevel <= LogLevel.Debug || options.WriteLogsFromAllJobs), spillFailed: ex => WorkerLog.StatsSpoolFailed(owner._hostLogger, ex));
            _log = new WorkerRunLogger(owner._hostLogger, logFile, options.LogLevel, WorkerCategory, owner._time, WorkerLog.IsWorkerLogLine);
            _jobLog = new WorkerRunLogger(owner._hostJobLogger, logFile, options.LogLevel, JobCategory, owner._time);

            // Toil's toil-rt logger propagates to the worker log's handler, which has no level of its own: only the
            // real-time level filters these records, not the worker's LogLevel.
            _realtimeLog = new RealtimeLogger(
                new WorkerRunLogger(owner._hostRealtimeLogger, logFile, LogLevel.Trace, RealtimeLogger.CategoryName, owner._time),
                owner._realtimeSettings);
        }

        private bool Debugging => _options.LogLevel <= LogLevel.Debug;

        public async Task<WorkerResult> ExecuteAsync(CancellationToken cancellationToken)
        {
            using var capture = _logFile is null ? null : WorkerLogCapture.Begin(_logFile, _options.LogLevel, _owner._time);
            ArmChaos();
            using var linked = _fence is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _fence.Token);
            CancellationToken token = linked?.Token ?? cancellationToken;

            JobDescription? job = null;
            bool failed = false;
            int exitCode = WorkerExitCodes.Success;
            Exception? error = null;
            IDeferredFunctionManager? deferred = null;
            long chainStart = _owner._time.GetTimestamp();
            TimeSpan cpuStart = Environment.CpuUsage.TotalTime;
            try
            {
                WorkerLog.Banner(_log);
                WorkerLog.Starting(_log, Version, _request.JobStoreId, _request.JobName ?? "unnamed", Environment.MachineName, _request.Mode);
                WorkerLog.Options(_log, _options.MaxLogFileSize, _options.CleanWorkDir, _options.DisableChaining, _dirs.TempDirectory, _dirs.CoordinationDirectory);
                WorkerLog.RealtimeLogging(_log, _owner._realtimeSettings);

                var environment = await WorkerEnvironment.LoadAsync(_store, Environment.GetEnvironmentVariable("PATH"), token).ConfigureAwait(false);
                if (_request.Mode == WorkerMode.Process)
                {
                    WorkerEnvironment.ApplyToProcess(environment);
                }

                deferred = await _owner._deferred.OpenAsync(_dirs.CoordinationDirectory, token).ConfigureAwait(false);
                job = await _store.LoadJobAsync(_request.JobStoreId, token).ConfigureAwait(false);
                await PrepareAsync(job, token).ConfigureAwait(false);
                foreach (var chained in job.GetChain())
                {
                    _spool.AddName(chained.StatsName);
                }

                _stats.Workers.RequestedCores = job.Cores;
                chainStart = _owner._time.GetTimestamp();
                cpuStart = Environment.CpuUsage.TotalTime;
                JobNames names = job.GetNames();
                while (true)
                {
                    WorkerLog.WorkingOn(_log, job);
                    if (!job.HasBody)
                    {
                        WorkerLog.NoBody(_log);
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

                double wall = _owner._time.GetElapsedTime(chainStart).TotalSeconds;
                _stats.Workers.Time = Seconds(wall);
                _stats.Workers.Clock = Seconds((Environment.CpuUsage.TotalTime - cpuStart).TotalSeconds);
                _stats.Workers.Memory = PeakMemoryKib().ToString(CultureInfo.InvariantCulture);
                _stats.Workers.Disk = _maxDisk.ToString(CultureInfo.InvariantCulture);
                _stats.Workers.JobsRun = _jobsRunCount;
                if (_logFile is not null)
                {
                    WorkerLog.LogLocation(_log, _dirs.TempDirectory);
                }

                WorkerLog.Finished(_log, wall);
            }
#pragma warning disable CA1031 // Every failure of user code or storage fails the attempt; the leader decides what to do.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failed = true;
                error = ex;
                exitCode = ex is JobExitException exit ? exit.ExitCode : WorkerExitCodes.Failed;
                if (!IsCrashed)
                {
                    WorkerLog.Crashed(_log, ex);
                    WorkerLog.ExitingOnFailure(_log, Environment.MachineName);
                }
            }
            finally
            {
                if (deferred is not null)
                {
                    await deferred.DisposeAsync().ConfigureAwait(false);
                }
            }

            // Toil's blockFn(): the whole commit chain must be durable before the attempt is judged.
            try
            {
                using var bound = new CancellationTokenSource(_options.CommitWaitTimeout, _owner._time);
                try
                {
                    await _blockFn(bound.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (bound.IsCancellationRequested)
                {
                    throw new TimeoutException($"The job store did not finish the commits of job {_request.JobStoreId} within {_options.CommitWaitTimeout}.");
                }
            }
#pragma warning disable CA1031 // A failed commit fails the attempt; it is reported, not thrown.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                if (!failed)
                {
                    failed = true;
                    error = ex;
                    exitCode = WorkerExitCodes.Failed;
                }

                if (!IsCrashed)
                {
                    WorkerLog.CommitFailed(_log, ex, _request.JobStoreId);
                }
            }

            // The chain's names still list what a background deletion was removing, so its outcome needs no bookkeeping here.
            await SettleDeletionAsync().ConfigureAwait(false);
            if (IsCrashed)
            {
                WorkerLog.ChaosCrashed(_owner._hostLogger, _request.JobStoreId);
                StopCapture();
                return new WorkerResult
                {
                    ExitCode = WorkerExitCodes.Killed,
                    Failed = true,
                    Crashed = true,
                    JobsRun = [.. _jobsRun],
                    JobsRunCount = _jobsRunCount,
                    JobStoreId = _request.JobStoreId,
                    Error = error,
                    RetainedTempDirectory = _dirs.TempDirectory,
                };
            }

            return await FinishAsync(job, failed, exitCode, error).ConfigureAwait(false);
        }

        public void Dispose()
        {
            StopCapture();
            _spool.Dispose();
            _fence?.Dispose();
            if (_killer is not null)
            {
                try
                {
                    if (!_killer.HasExited)
                    {
                        _killer.Kill();
                    }
                }
                catch (InvalidOperationException)
                {
                }

                _killer.Dispose();
            }
        }

        private bool IsCrashed => _fence?.IsTripped == true;

        private void ArmChaos()
        {
            if (_options.BadWorker <= 0 || Random.Shared.NextDouble() >= _options.BadWorker)
            {
                return;
            }

            var delay = _options.BadWorkerFailInterval * Random.Shared.NextDouble();
            WorkerLog.ChaosArmed(_log, delay);
            if (_request.Mode == WorkerMode.Process && UnixFileDescriptors.IsSupported)
            {
                // Killed from outside, like Toil's forked child: SIGUSR1, then SIGKILL.
                var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
                psi.ArgumentList.Add("-c");
                psi.ArgumentList.Add(string.Create(CultureInfo.InvariantCulture, $"sleep {delay.TotalSeconds:F3}; kill -USR1 {Environment.ProcessId}; kill -KILL {Environment.ProcessId}"));
                _killer = Process.Start(psi);
                return;
            }

            _fence = new ChaosFence();
            _store = new FencedJobStore(_request.JobStore, _fence);
            _fence.Arm(_owner._time, delay);
        }

        /// <summary>Reference §3.2 steps 2–4: tidy a bodiless job, clear an old failure log, restore or finish a checkpoint.</summary>
        private async ValueTask PrepareAsync(JobDescription job, CancellationToken token)
        {
            if (!job.HasBody)
            {
                int before = job.SuccessorsAndServiceHosts().Count();
                await _store.ClearNonexistentDependentsAsync(job, token).ConfigureAwait(false);
                int dropped = before - job.SuccessorsAndServiceHosts().Count();
                if (dropped > 0)
                {
                    // Toil keeps the tidied stack in memory only (reference §7.3.8); we persist it.
                    WorkerLog.DroppedSuccessors(_log, dropped, job);
                    await _store.UpdateJobAsync(job, token).ConfigureAwait(false);
                }
            }

            if (job.LogJobStoreFileId is { } oldLog)
            {
                // Record first, then file: a crash in between leaves an orphan file, never a dangling reference.
                job.LogJobStoreFileId = null;
                await _store.UpdateJobAsync(job, token).ConfigureAwait(false);
                await _store.DeleteFileAsync(oldLog, token).ConfigureAwait(false);
            }

            if (job is CheckpointJobDescription { Checkpoint: not null } checkpoint)
            {
                if (checkpoint.AllSuccessors().Any() || checkpoint.ServiceTree.Count > 0)
                {
                    if (checkpoint.RemainingTryCount < 0)
                    {
                        throw new InvalidOperationException($"Checkpoint {checkpoint} has a negative try count.");
                    }

                    checkpoint.ChargeRetry();
                    var deleted = await CheckpointRestart.RestartCheckpointAsync(_store, checkpoint, token).ConfigureAwait(false);
                    WorkerLog.CheckpointRestarted(_log, checkpoint, deleted.Count);
                }
                else if (!checkpoint.HasBody && checkpoint.CheckpointFilesToDelete.Count > 0)
                {
                    // Completed: its promise files can go. With a body (restored by a restart) they are kept, because
                    // the body about to rerun reads them (reference §7.3.3).
                    int count = 0;
                    foreach (string fileId in checkpoint.CheckpointFilesToDelete)
                    {
                        if (await _store.FileExistsAsync(fileId, token).ConfigureAwait(false))
                        {
                            await _store.DeleteFileAsync(fileId, token).ConfigureAwait(false);
                            count++;
                        }
                    }

                    WorkerLog.CheckpointFilesDeleted(_log, count, checkpoint);
                }
            }
        }

        /// <summary>
        /// Runs the job's body and commits it: alone, or folded into the write that chains its successor (reference §3.3–3.5,
        /// <c>docs/worker-algorithm.md</c> "Chaining commits"). Returns the successor to run next, if it chained.
        /// </summary>
        private async ValueTask<(JobDescription? Successor, JobNames? SuccessorNames)> RunBodyAsync(JobDescription job, JobNames names, IReadOnlyDictionary<string, string> environment, IDeferredFunctionManager deferred, CancellationToken token)
        {
            if (job is CheckpointJobDescription checkpoint)
            {
                checkpoint.SetCheckpoint();
            }

            string jobDirectory = _dirs.NextJobDirectory();
            var fileStore = _owner._fileStores(new FileStoreRequest(_store, job, jobDirectory, _dirs.TempDirectory, _blockFn, _jobLog, AsynchronousCommits, LocalTempKnownAbsent: _dirs.TempDirectoryCreated));
            _blockFn = fileStore.WaitForCommitAsync;
            if (_jobsRunCount++ < _options.MaxJobsRunListed)
            {
                _jobsRun.Add(names);
            }

            var record = new JobStatsRecord
            {
                Start = Seconds(_owner._time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0),
                ClassName = job.DisplayName,
                RequestedCores = job.Cores.ToString(CultureInfo.InvariantCulture),
            };
            long start = _owner._time.GetTimestamp();
            TimeSpan cpu = CpuTime();
            bool succeeded = false;
            try
            {
                var scope = await deferred.BeginJobAsync(token).ConfigureAwait(false);
                JobBodyOutcome outcome;
                try
                {
                    outcome = await _owner._invoker.InvokeAsync(
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
                    // Success or failure, the job's deferred functions run when it ends (reference §C).
                    try
                    {
                        await scope.RunAsync(token).ConfigureAwait(false);
                    }
                    finally
                    {
                        await scope.DisposeAsync().ConfigureAwait(false);
                    }
                }

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
                WorkerLog.CompletedBody(_log, job);

                // At most one commit in flight: the previous job's commit (written while this body ran) must be done before
                // this one starts, so a killed worker reruns at most the last two jobs, and a failed commit fails the
                // attempt here (Toil's terminate flag) instead of after the rest of the chain.
                await WaitForCommitsAsync(token).ConfigureAwait(false);
                JobDescription? successor = await NextChainableAsync(job, token).ConfigureAwait(false);
                JobNames? successorNames = null;
                if (successor is null)
                {
                    await fileStore.StartCommitAsync(jobState: true, token).ConfigureAwait(false);
                }
                else
                {
                    successorNames = successor.GetNames();
                    await ChainAsync(job, successor, fileStore, token).ConfigureAwait(false);
                }

                succeeded = true;
                return (successor, successorNames);
            }
            finally
            {
                // A job directory that was never made holds nothing: no need to look.
                long disk = fileStore switch
                {
                    JobFileStore { DiskUsed: > 0 } measured => measured.DiskUsed,
                    JobFileStore { LocalTempDirExists: false } => 0,
                    _ => DirectorySize(jobDirectory),
                };
                _maxDisk = Math.Max(_maxDisk, disk);
                double wall = _owner._time.GetElapsedTime(start).TotalSeconds;

                // One getrusage gives both the job's CPU time and the peak memory its record reports.
                var (cpuEnd, peakKib) = ResourceUsage();
                double cpuSeconds = (cpuEnd - cpu).TotalSeconds;
                record.Time = Seconds(wall);
                record.Clock = Seconds(cpuSeconds);
                if (CpuUsageCheck.Evaluate(job, wall, cpuSeconds, job.Cores, out bool invalidCores) is { } warning)
                {
                    fileStore.LogToLeader(warning, LogLevel.Warning);
                }
                else if (invalidCores)
                {
                    WorkerLog.InvalidCores(_log, job.Cores, job);
                }

                record.Memory = peakKib.ToString(CultureInfo.InvariantCulture);
                record.Disk = disk.ToString(CultureInfo.InvariantCulture);
                record.Succeeded = succeeded ? "True" : "False";
                _spool.AddJob(record);
                foreach (var message in fileStore.LeaderMessages)
                {
                    _spool.AddLeaderMessage(new LeaderMessageRecord { Text = message.Text, Level = PythonLevel(message.Level) });
                }

                foreach (var stream in fileStore.UserStreams)
                {
                    _spool.AddUserStream(new UserStreamRecord { Name = stream.Name, Text = stream.Text });
                }
            }
        }

        private bool AsynchronousCommits => _options.AsynchronousCommits && _store is not InMemoryJobStore;

        private async ValueTask<JobDescription?> NextChainableAsync(JobDescription job, CancellationToken token)
        {
            if (_options.DisableChaining)
            {
                // Toil still loads the successor here; nothing uses it, so we do not.
                WorkerLog.NotChaining(_log, job, "chaining is disabled");
                return null;
            }

            var (successor, reason) = await ChainingRules.NextChainableAsync(job, _store, _options.RunLocalJobsOnWorkers || _store.Config.RunLocalJobsOnWorkers, token).ConfigureAwait(false);
            if (successor is null)
            {
                WorkerLog.NotChaining(_log, job, reason!);
            }

            return successor;
        }

        /// <summary>
        /// Reference §3.5, with the predecessor's commit folded in: the successor takes the issued ID and one write records
        /// the predecessor done and the successor (body attached) to run under that ID. The predecessor's pending deletions
        /// ride in that write's journal. Toil writes the two states one after the other; the folded write goes straight to
        /// the second, and a crash before it leaves the first job to rerun, as a crash before Toil's first write does.
        /// </summary>
        private async ValueTask ChainAsync(JobDescription predecessor, JobDescription successor, IChainingFileStore fileStore, CancellationToken token)
        {
            if (predecessor.Memory < successor.Memory || predecessor.Cores < successor.Cores)
            {
                throw new InvalidOperationException($"Cannot chain {successor} into {predecessor}: it needs more memory or cores.");
            }

            await DeleteChainedInRecordsAsync(predecessor, token).ConfigureAwait(false);

            // Its text before it takes the issued ID, for a debug line most runs do not write.
            string? successorId = _log.IsEnabled(LogLevel.Debug) ? successor.ToString() : null;
            IChainingFileStore? commitStore = null;
            if (predecessor.FilesToDelete.Count > 0)
            {
                // A journal left by a killed worker's commit of this job: finish it with a commit of its own first (only
                // the issued job can carry one), then write the successor with a commit-only store, as Toil does.
                await fileStore.StartCommitAsync(jobState: true, token).ConfigureAwait(false);
                await WaitForCommitsAsync(token).ConfigureAwait(false);
                commitStore = _owner._fileStores(new FileStoreRequest(_store, successor, null, _dirs.TempDirectory, _blockFn, _jobLog, AsynchronousCommits));
                _blockFn = commitStore.WaitForCommitAsync;
            }

            successor.Replace(predecessor);
            _spool.AddName(successor.MergedJobNames[^1].StatsName);
            if (successorId is not null)
            {
                WorkerLog.Chaining(_log, predecessor, successorId);
            }

            if (commitStore is null)
            {
                await fileStore.StartCommitAsync(successor, token).ConfigureAwait(false);
            }
            else
            {
                await commitStore.StartCommitAsync(jobState: true, token).ConfigureAwait(false);
            }
        }

        /// <summary>
        /// Deletes, in one batch once there are <see cref="WorkerOptions.ChainedRecordDeleteBatch"/> of them, the records of
        /// jobs chained into the issued ID whose bodies ran and whose completion is durable: every merged name but the
        /// owner's and the last, which is the predecessor's own record (its body file stays referenced until the write
        /// that chains its successor is durable). The record then lists only names whose records may still exist, so what
        /// each commit writes stays bounded instead of growing with the chain (DESIGN D7).
        /// </summary>
        /// <remarks>
        /// With <see cref="AsynchronousCommits"/> the batch is deleted in the background while the chain goes on, one batch
        /// at a time; its names leave the merged list only once it has finished, so a record never stops listing a chained-in
        /// record that may still exist.
        /// </remarks>
        private async ValueTask DeleteChainedInRecordsAsync(JobDescription predecessor, CancellationToken token)
        {
            var merged = predecessor.MergedJobNames;
            if (_deleting is { IsCompleted: true })
            {
                SettleNames(merged, await SettleDeletionAsync().ConfigureAwait(false));
            }

            // Most jobs of a chain have fewer candidates than a batch: counted first (an upper bound of the distinct
            // IDs below), they cost no set.
            int candidates = 0;
            for (int i = 0; i < merged.Count - 1; i++)
            {
                string id = merged[i].JobStoreId;
                if (id != predecessor.JobStoreId && _deletingIds?.Contains(id) != true)
                {
                    candidates++;
                }
            }

            if (candidates == 0 || candidates < _options.ChainedRecordDeleteBatch)
            {
                return;
            }

            var done = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < merged.Count - 1; i++)
            {
                string id = merged[i].JobStoreId;
                if (id != predecessor.JobStoreId && _deletingIds?.Contains(id) != true)
                {
                    done.Add(id);
                }
            }

            if (done.Count == 0 || done.Count < _options.ChainedRecordDeleteBatch)
            {
                return;
            }

            // One batch in flight at most: the record lists at most two batches' worth of chained-in records.
            if (_deleting is not null)
            {
                SettleNames(merged, await SettleDeletionAsync().ConfigureAwait(false));
            }

            // They were recorded done by the last write, which must be durable before their records (and body files) go.
            await WaitForCommitsAsync(token).ConfigureAwait(false);
            if (AsynchronousCommits)
            {
                var store = _store;
                _deletingIds = done;
                _deleting = Task.Run(async () => await store.DeleteJobsAsync(done, CancellationToken.None).ConfigureAwait(false), CancellationToken.None);
                return;
            }

            try
            {
                await _store.DeleteJobsAsync(done, token).ConfigureAwait(false);
                SettleNames(merged, done);
            }
#pragma warning disable CA1031 // As at the end of the run, a failed delete must not fail the attempt: the names stay, so a later delete retries.
            catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
            {
                WorkerLog.DeleteFailed(_owner._hostLogger, ex, string.Join(", ", done));
            }
        }

        private static void SettleNames(List<JobNames> merged, HashSet<string>? deleted)
        {
            if (deleted is not null)
            {
                // The last entry is the running job's own record, never part of a finished batch.
                var last = merged[^1];
                merged.RemoveAll(n => !ReferenceEquals(n, last) && deleted.Contains(n.JobStoreId));
            }
        }

        /// <summary>Waits for the background deletion, if any; returns the IDs it deleted, or null when it failed (logged).</summary>
        private async ValueTask<HashSet<string>?> SettleDeletionAsync()
        {
            if (_deleting is not { } deleting)
            {
                return null;
            }

            var ids = _deletingIds;
            _deleting = null;
            _deletingIds = null;
            try
            {
                await deleting.ConfigureAwait(false);
                return ids;
            }
#pragma warning disable CA1031 // A failed delete must not fail the attempt: the names stay listed, so a later delete retries.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                WorkerLog.DeleteFailed(_owner._hostLogger, ex, string.Join(", ", ids ?? []));
                return null;
            }
        }

        private async ValueTask WaitForCommitsAsync(CancellationToken token)
        {
            ValueTask pending = _blockFn(token);
            if (pending.IsCompletedSuccessfully)
            {
                return; // The usual case (a synchronous store, or a background commit that finished): no timer.
            }

            try
            {
                await pending.AsTask().WaitAsync(_options.CommitWaitTimeout, _owner._time, token).ConfigureAwait(false);
            }
            catch (TimeoutException ex)
            {
                throw new TimeoutException($"The job store did not finish the commits of job {_request.JobStoreId} within {_options.CommitWaitTimeout}.", ex);
            }
        }

        private async Task<WorkerResult> FinishAsync(JobDescription? job, bool failed, int exitCode, Exception? error)
        {
            // Everything below runs whatever the caller's token says: the store must end up consistent.
            CancellationToken none = CancellationToken.None;
            IJobStore store = _request.JobStore;
            if (failed)
            {
                try
                {
                    // Discard in-memory state: after chaining the record is the last job that committed (reference §3.8).
                    job = await store.LoadJobAsync(_request.JobStoreId, none).ConfigureAwait(false);
                }
                catch (NoSuchJobException)
                {
                    WorkerLog.FailedJobVanished(_log, _request.JobStoreId);
                    job = null;
                }
#pragma warning disable CA1031 // The stats must still be written (reference §7.3.6).
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    WorkerLog.LogUploadFailed(_log, ex, _request.JobStoreId);
                    job = null;
                }
            }

            StopCapture();

            // Read only when it is stored or sent: a long chain's log can be as large as MaxLogFileSize.
            bool logInStats = !failed && job is not null && (Debugging || (_options.WriteLogsFromAllJobs && !job.Local));
            byte[]? logBytes = _logFile is null || !(failed || logInStats) ? null : await LogTruncation.ReadTruncatedAsync(_dirs.LogPath, _options.MaxLogFileSize, none).ConfigureAwait(false);

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
                    WorkerLog.LogUploadFailed(_owner._hostLogger, ex, _request.JobStoreId);
                }
            }
            else if (!failed && logBytes is not null && job is not null && (Debugging || (_options.WriteLogsFromAllJobs && !job.Local)))
            {
                _stats.Logs = new WorkerLogsRecord
                {
                    Names = _spool.NameCount > 0 ? [] : [.. job.GetChain().Select(n => n.StatsName)],
                    Messages = SplitLines(logBytes),
                };
            }

            try
            {
                await _spool.WriteAsync(store, _stats, none).ConfigureAwait(false);
            }
#pragma warning disable CA1031
            catch (Exception ex)
#pragma warning restore CA1031
            {
                WorkerLog.StatsFailed(_owner._hostLogger, ex, _request.JobStoreId);
            }
            finally
            {
                _spool.Dispose();
            }

            _dirs.EndLiveness();
            string? retained = CleanWorkDirectory(failed) ? null : _dirs.TempDirectory;
            if (retained is null && _dirs.TempDirectoryCreated)
            {
                _dirs.RemoveIfEmpty();
            }

            bool subtreeDeleted = false;
            if (job is not null)
            {
                subtreeDeleted = await DeleteFinishedRecordsAsync(store, job, failed).ConfigureAwait(false);
            }

            return new WorkerResult
            {
                ExitCode = failed ? (exitCode == 0 ? WorkerExitCodes.Failed : exitCode) : WorkerExitCodes.Success,
                Failed = failed,
                JobsRun = [.. _jobsRun],
                JobsRunCount = _jobsRunCount,
                JobStoreId = _request.JobStoreId,
                SubtreeDeleted = subtreeDeleted,
                Error = error,
                LogFileId = logFileId,
                RetainedTempDirectory = retained,
            };
        }

        /// <summary>
        /// Deletes the records nobody needs any more (DESIGN D7): the whole chain when the subtree is done; otherwise every
        /// chained-in record whose body has run (the owner ID stays, and so does the record of a job whose body is still
        /// attached, because its body file is stored under it).
        /// </summary>
        private async ValueTask<bool> DeleteFinishedRecordsAsync(IJobStore store, JobDescription job, bool failed)
        {
            var chain = job.GetChain();
            bool whole = !failed && job.IsSubtreeDone();
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
                WorkerLog.DeleteFailed(_owner._hostLogger, ex, _request.JobStoreId);
            }

            return false;
        }

        /// <summary>Reference §3.10 and the §6.8 table: "onError" means clean on error.</summary>
        private bool CleanWorkDirectory(bool failed)
        {
            bool remove = _options.CleanWorkDir switch
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
                if (_dirs.TempDirectoryCreated)
                {
                    Directory.Delete(_dirs.TempDirectory, recursive: true);
                }
                else
                {
                    // A directory the caller gave us stays; only what the run put in it goes.
                    foreach (var entry in new DirectoryInfo(_dirs.TempDirectory).EnumerateFileSystemInfos())
                    {
                        if (entry is DirectoryInfo d)
                        {
                            d.Delete(recursive: true);
                        }
                        else
                        {
                            entry.Delete();
                        }
                    }
                }

                return true;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                WorkerLog.CleanupFailed(_owner._hostLogger, ex, _dirs.TempDirectory);
                return false;
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
}
