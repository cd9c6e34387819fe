using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Toil.Runtime.Jobs;
using Toil.Runtime.Leader.BatchSystems;

namespace Toil.Runtime.Slurm;

/// <summary>
/// Runs worker attempts as Slurm jobs (Toil's <c>SlurmBatchSystem</c>): each attempt is one <c>sbatch</c> of a small
/// script that runs the worker command; one <c>squeue</c> per poll tracks every issued attempt; an ended one's exit code
/// comes from <c>sacct</c> when the cluster keeps accounting and from <c>scontrol show job</c> when it does not.
/// See <c>docs/slurm.md</c>.
/// </summary>
/// <remarks>
/// Workers run as separate processes on the cluster's nodes, so the job store must be a file job store on a file system
/// every node mounts at the same path, and the worker command must exist on every node.
/// </remarks>
public sealed class SlurmBatchSystem : IBatchSystem, IRestartFence
{
    private readonly SlurmBatchSystemOptions _options;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly SlurmCommandRunner _commands;
    private readonly string _logDirectory;
    private readonly ConcurrentDictionary<long, Attempt> _attempts = new();
    private readonly Channel<BatchJobUpdate> _updates = Channel.CreateUnbounded<BatchJobUpdate>(new UnboundedChannelOptions { SingleReader = false });
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _clusterLock = new(1, 1);
    private readonly Lock _pollerLock = new();
    private readonly Lock _pendingLock = new();
    private readonly Dictionary<(int Cpus, long MemoryMiB, int Gpus), List<Attempt>> _pending = [];

    // Names this instance's files in the (possibly shared) log directory: the process ID alone is not enough, because
    // two batch systems in one process (two workflows, or a leader and its successor) count their attempts from 1, and
    // leaders on two hosts that share the directory can have the same process ID.
    private readonly string _filePrefix = string.Create(
        CultureInfo.InvariantCulture, $"toil-{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}-");
    private ClusterInfo? _cluster;
    private Task? _poller;
    private long _nextId;
    private int _shutDown;

    /// <summary>Initializes a new instance of the <see cref="SlurmBatchSystem"/> class.</summary>
    /// <param name="options">The options.</param>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public SlurmBatchSystem(IOptions<SlurmBatchSystemOptions> options, ILogger<SlurmBatchSystem>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _options.Validate();

        _log = logger ?? (ILogger)NullLogger.Instance;
        _time = _options.TimeProvider;
        _commands = new SlurmCommandRunner(_options, _log);
        _logDirectory = Path.GetFullPath(_options.WorkerLogDirectory ?? Path.Combine(Directory.GetCurrentDirectory(), "toil-slurm-logs"));
    }

    /// <inheritdoc />
    public string Name => "slurm";

    /// <inheritdoc />
    public void CheckResourceRequest(JobResources resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        if (resources.Accelerators.Any(a => !string.Equals(a.Kind, "gpu", StringComparison.OrdinalIgnoreCase)))
        {
            throw new InsufficientResourcesException($"The Slurm batch system can request GPUs only (--gpus); the job asks for {resources}.");
        }

        if (_cluster is { } cluster && (Math.Ceiling(resources.Cores) > cluster.MaxCpus || MemoryMiB(resources) > cluster.MaxMemoryMiB))
        {
            throw new InsufficientResourcesException(
                $"No Slurm node can hold a job that needs {resources}: the largest has {cluster.MaxCpus} CPUs and {cluster.MaxMemoryMiB} MiB of memory.");
        }
    }

    /// <inheritdoc />
    public async ValueTask<long> IssueJobAsync(BatchJobRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _shutDown) != 0, this);
        ClusterInfo cluster = await GetClusterAsync(cancellationToken).ConfigureAwait(false);
        CheckJobStoreReachable(request.JobStore.Locator, cluster);
        CheckResourceRequest(request.Resources);

        long id = Interlocked.Increment(ref _nextId);
        Directory.CreateDirectory(_logDirectory);
        string stem = Path.Combine(_logDirectory, _filePrefix + id.ToString(CultureInfo.InvariantCulture));
        var attempt = new Attempt(id, stem);
        WriteEnvironmentFile(attempt.EnvironmentFile, request.Environment);
        if (_options.CoalesceJobs)
        {
            attempt.Command = [.. _options.WorkerCommand, .. request.WorkerArguments];
            attempt.Request = request;
            attempt.QueuedAt = _time.GetUtcNow();
            _attempts[id] = attempt;
            List<Attempt>? full = null;
            var key = (Math.Max(1, (int)Math.Ceiling(request.Resources.Cores)), MemoryMiB(request.Resources), request.Resources.Accelerators.Sum(a => a.Count));
            lock (_pendingLock)
            {
                if (!_pending.TryGetValue(key, out List<Attempt>? group))
                {
                    _pending[key] = group = [];
                }

                group.Add(attempt);
                if (group.Count >= _options.CoalesceMaxJobs)
                {
                    full = group;
                    _pending.Remove(key);
                }
            }

            if (full is not null)
            {
                await SubmitGroupAsync(full, cancellationToken).ConfigureAwait(false);
            }

            EnsurePolling();
            return id;
        }

        WriteScript(attempt.ScriptFile, attempt.EnvironmentFile, request);

        List<string> arguments = SbatchArguments(request, attempt, id);
        SlurmCommandResult result;
        try
        {
            result = await _commands.RunAsync("sbatch", arguments, null, cancellationToken).ConfigureAwait(false);
        }
        catch (SlurmCommandException e) when (IsUnsatisfiable(e.StandardError))
        {
            attempt.DeleteScripts();
            throw new InsufficientResourcesException($"Slurm refused a job that needs {request.Resources}: {e.StandardError.Trim()}", e);
        }
        catch
        {
            attempt.DeleteScripts();
            throw;
        }

        attempt.SlurmJobId = SlurmOutputParser.ParseSbatch(result.StandardOutput);
        _attempts[id] = attempt;
        SlurmLog.Submitted(_log, id, request.JobName, attempt.SlurmJobId);
        EnsurePolling();
        return id;
    }

    /// <summary>
    /// The restart fence (docs/decisions.md#restart-fence): cancels this user's queued and running Slurm jobs whose
    /// comment names <paramref name="workflowId"/> (every attempt is submitted with <c>--comment=toil-workflow=ID</c>)
    /// and that this batch system did not submit, then waits until Slurm reports them ended, at most
    /// <see cref="SlurmBatchSystemOptions.KillTimeout"/>.
    /// </summary>
    /// <param name="workflowId">The workflow's ID.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>How many such jobs were found.</returns>
    /// <exception cref="SlurmCommandException"><c>squeue</c> or <c>scancel</c> failed past the retries.</exception>
    async ValueTask<int> IRestartFence.StopEarlierWorkersAsync(string workflowId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(workflowId);
        string comment = WorkflowComment(workflowId);
        var ours = _attempts.Values.Select(a => a.SlurmJobId).ToHashSet();
        SlurmCommandResult listed = await _commands.RunAsync(
            "squeue", ["-h", "--me", "-t", "PENDING,RUNNING,CONFIGURING,COMPLETING,SUSPENDED", "-o", "%i|%k"], null, cancellationToken).ConfigureAwait(false);
        var earlier = new List<long>();
        foreach (string line in listed.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int bar = line.IndexOf('|', StringComparison.Ordinal);
            if (bar > 0 && line[(bar + 1)..] == comment && long.TryParse(line.AsSpan(0, bar), NumberStyles.None, CultureInfo.InvariantCulture, out long jobId) && !ours.Contains(jobId))
            {
                earlier.Add(jobId);
            }
        }

        if (earlier.Count == 0)
        {
            return 0;
        }

        await CancelAndWaitAsync(earlier, cancellationToken).ConfigureAwait(false);
        SlurmLog.EarlierWorkersCancelled(_log, string.Join(',', earlier.Select(i => i.ToString(CultureInfo.InvariantCulture))), workflowId);
        return earlier.Count;
    }

    /// <inheritdoc />
    public async ValueTask KillJobsAsync(IReadOnlyCollection<long> batchJobIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batchJobIds);
        var killed = new List<Attempt>();
        foreach (long id in batchJobIds)
        {
            if (_attempts.TryRemove(id, out Attempt? attempt))
            {
                killed.Add(attempt);
            }
        }

        if (_options.CoalesceJobs)
        {
            killed = KillCoalesced(killed);
        }

        if (killed.Count == 0)
        {
            return;
        }

        await CancelAndWaitAsync([.. killed.Select(a => a.SlurmJobId)], cancellationToken).ConfigureAwait(false);
        foreach (Attempt attempt in killed)
        {
            attempt.DeleteScripts();
        }
    }

    /// <inheritdoc />
    public IReadOnlyCollection<long> GetIssuedJobIds() => [.. _attempts.Keys];

    /// <inheritdoc />
    public IReadOnlyDictionary<long, TimeSpan> GetRunningJobs()
    {
        DateTimeOffset now = _time.GetUtcNow();
        var running = new Dictionary<long, TimeSpan>();
        foreach (Attempt attempt in _attempts.Values)
        {
            if (attempt.StartedAt is { } started)
            {
                running[attempt.Id] = now - started;
            }
        }

        return running;
    }

    /// <inheritdoc />
    public async ValueTask<BatchJobUpdate> WaitForUpdateAsync(CancellationToken cancellationToken = default) =>
        await _updates.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask ShutdownAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _shutDown, 1) != 0)
        {
            return;
        }

        try
        {
            await KillJobsAsync([.. _attempts.Keys], cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            Task? poller;
            lock (_pollerLock)
            {
                poller = _poller;
            }

            if (poller is not null)
            {
                await poller.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            _stopping.Dispose();
            _clusterLock.Dispose();
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ShutdownAsync(CancellationToken.None);

    /// <summary>Runs one poll: one <c>squeue</c> for every issued attempt, then the exit codes of those that ended.</summary>
    /// <param name="cancellationToken">Cancels the poll.</param>
    /// <returns>A task that completes when the ended attempts are reported.</returns>
    internal async Task PollOnceAsync(CancellationToken cancellationToken)
    {
        if (_options.CoalesceJobs)
        {
            await SubmitDueGroupsAsync(cancellationToken).ConfigureAwait(false);
        }

        Attempt[] attempts = [.. _attempts.Values.Where(a => a.SlurmJobId != 0)];
        if (attempts.Length == 0)
        {
            return;
        }

        string ids = string.Join(',', attempts.Select(a => a.SlurmJobId).Distinct().Select(i => i.ToString(CultureInfo.InvariantCulture)));
        Dictionary<long, SlurmJobInfo> queued = (await SqueueAsync(ids, cancellationToken).ConfigureAwait(false)).ToDictionary(j => j.SlurmJobId);
        DateTimeOffset now = _time.GetUtcNow();
        var ended = new List<Attempt>();
        foreach (Attempt attempt in attempts)
        {
            if (attempt.Group is not null && attempt.ReadStatus() is { } status)
            {
                // A coalesced attempt is reported as soon as its worker ended, not when its allocation does.
                Report(attempt, CoalescedUpdate(attempt, status, now));
            }
            else if (queued.TryGetValue(attempt.SlurmJobId, out SlurmJobInfo? info) && !info.IsTerminal)
            {
                if (attempt.StartedAt is null && SlurmStates.IsRunning(info.State))
                {
                    attempt.StartedAt = now;
                }
            }
            else
            {
                ended.Add(attempt);
            }
        }

        if (ended.Count == 0)
        {
            return;
        }

        ClusterInfo cluster = await GetClusterAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<SlurmJobInfo> details = cluster.Accounting
            ? SlurmOutputParser.ParseSacct((await _commands.RunAsync("sacct", ["-n", "-P", "-X", "-o", SlurmOutputParser.SacctFields, "-j", string.Join(',', ended.Select(a => a.SlurmJobId.ToString(CultureInfo.InvariantCulture)))], null, cancellationToken).ConfigureAwait(false)).StandardOutput)
            : SlurmOutputParser.ParseScontrolShowJob((await _commands.RunAsync("scontrol", ["-o", "show", "job"], null, cancellationToken).ConfigureAwait(false)).StandardOutput);
        Dictionary<long, SlurmJobInfo> byId = details.GroupBy(j => j.SlurmJobId).ToDictionary(g => g.Key, g => g.First());
        foreach (Attempt attempt in ended)
        {
            SlurmJobInfo? info = byId.GetValueOrDefault(attempt.SlurmJobId) ?? queued.GetValueOrDefault(attempt.SlurmJobId);
            if (info is { IsTerminal: false })
            {
                continue; // squeue and scontrol/sacct raced; the next poll sees it end.
            }

            if (attempt.Group is not null)
            {
                Report(attempt, attempt.ReadStatus() is { } status ? CoalescedUpdate(attempt, status, now) : UnfinishedInGroup(attempt, info));
                continue;
            }

            if (!_attempts.TryRemove(attempt.Id, out _))
            {
                continue; // Killed meanwhile: never reported.
            }

            BatchJobUpdate update;
            if (info is null)
            {
                SlurmLog.Vanished(_log, attempt.SlurmJobId, attempt.Id);
                update = new BatchJobUpdate(attempt.Id, 1, BatchJobExitReason.Lost) { Detail = $"Slurm no longer knows job {attempt.SlurmJobId}" };
            }
            else
            {
                bool overMemory = info.State is not ("COMPLETED" or "TIMEOUT" or "OUT_OF_MEMORY") && attempt.ErrorFileSays(SlurmStates.MemoryKillMarker);
                (int code, BatchJobExitReason reason) = SlurmStates.Map(info, overMemory);
                SlurmLog.Ended(_log, attempt.Id, attempt.SlurmJobId, info.State, code, reason);
                update = new BatchJobUpdate(attempt.Id, code, reason)
                {
                    Detail = SlurmStates.Describe(info, code) + (overMemory ? ": exceeded its memory limit" : string.Empty),
                    WallTime = info.RunTime ?? (attempt.StartedAt is { } s ? now - s : null),
                    OutputFiles = reason == BatchJobExitReason.Finished ? [] : attempt.OutputFiles(),
                };
            }

            attempt.DeleteScripts();
            if (update.ExitReason == BatchJobExitReason.Finished)
            {
                attempt.DeleteOutput();
            }

            _updates.Writer.TryWrite(update);
        }
    }

    private void Report(Attempt attempt, BatchJobUpdate update)
    {
        if (!_attempts.TryRemove(attempt.Id, out _))
        {
            return; // Killed meanwhile: never reported.
        }

        attempt.DeleteScripts();
        File.Delete(attempt.StatusFile);
        if (update.ExitReason == BatchJobExitReason.Finished)
        {
            attempt.DeleteOutput();
        }

        if (attempt.Group is { } group && group.Members.All(m => !_attempts.ContainsKey(m.Id)))
        {
            group.DeleteFiles();
        }

        _updates.Writer.TryWrite(update);
    }

    private BatchJobUpdate CoalescedUpdate(Attempt attempt, int status, DateTimeOffset now)
    {
        BatchJobExitReason reason = status == 0 ? BatchJobExitReason.Finished : BatchJobExitReason.Failed;
        string detail = string.Create(CultureInfo.InvariantCulture, $"worker exited {status} in coalesced Slurm job {attempt.SlurmJobId}");
        if (status == Worker.WorkerExitCodes.NoJobStore)
        {
            detail += ": " + SlurmStates.SharedFileSystemHint;
        }

        SlurmLog.Ended(_log, attempt.Id, attempt.SlurmJobId, "COALESCED", status, reason);
        return new BatchJobUpdate(attempt.Id, status, reason)
        {
            Detail = detail,
            WallTime = attempt.StartedAt is { } s ? now - s : null,
            OutputFiles = reason == BatchJobExitReason.Finished ? [] : attempt.OutputFiles(),
        };
    }

    private static BatchJobUpdate UnfinishedInGroup(Attempt attempt, SlurmJobInfo? info)
    {
        // The allocation ended before this attempt's worker did (or ran): the allocation's fate is the attempt's.
        Group group = attempt.Group!;
        string state = info?.State ?? "GONE";
        BatchJobExitReason reason;
        int code;
        if (group.CancelledByUs || info is null)
        {
            (code, reason) = (1, BatchJobExitReason.Lost);
        }
        else
        {
            bool overMemory = info.State is not ("COMPLETED" or "TIMEOUT" or "OUT_OF_MEMORY") && group.ErrorFileSays(SlurmStates.MemoryKillMarker);
            (code, reason) = SlurmStates.Map(info, overMemory);
            if (reason == BatchJobExitReason.Finished || reason == BatchJobExitReason.Failed)
            {
                (code, reason) = (code == 0 ? 1 : code, BatchJobExitReason.Lost);
            }
        }

        return new BatchJobUpdate(attempt.Id, code, reason)
        {
            Detail = $"coalesced Slurm job {group.SlurmJobId} ended {state} before this attempt's worker finished",
            OutputFiles = [.. attempt.OutputFiles(), .. new[] { group.OutputFile, group.ErrorFile }.Where(File.Exists)],
        };
    }

    private List<Attempt> KillCoalesced(List<Attempt> killed)
    {
        // Returns the attempts whose Slurm job must be cancelled (whole allocations).
        var cancel = new List<Attempt>();
        foreach (Attempt attempt in killed)
        {
            if (attempt.Group is not { } group)
            {
                lock (_pendingLock)
                {
                    foreach (List<Attempt> pending in _pending.Values)
                    {
                        pending.Remove(attempt);
                    }
                }

                attempt.DeleteScripts();
                continue;
            }

            File.WriteAllText(attempt.SkipFile, string.Empty); // Its worker never starts if it has not yet.
            File.Delete(attempt.EnvironmentFile);
            bool othersLeft = group.Members.Any(m => _attempts.ContainsKey(m.Id));
            bool mayRun = !File.Exists(attempt.StatusFile) && attempt.StartedAt is not null;
            if (!othersLeft || mayRun)
            {
                // A running worker inside an allocation can only be stopped with the allocation; the attempts left in it
                // are reported lost, and the leader issues them again.
                group.CancelledByUs = true;
                if (!cancel.Any(a => a.SlurmJobId == group.SlurmJobId))
                {
                    cancel.Add(attempt);
                }
            }
        }

        return cancel;
    }

    private async Task SubmitDueGroupsAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset now = _time.GetUtcNow();
        var due = new List<List<Attempt>>();
        lock (_pendingLock)
        {
            foreach (var (key, group) in _pending.ToList())
            {
                if (group.Count == 0)
                {
                    _pending.Remove(key);
                }
                else if (now - group[0].QueuedAt >= _options.CoalesceWindow)
                {
                    due.Add(group);
                    _pending.Remove(key);
                }
            }
        }

        foreach (List<Attempt> group in due)
        {
            await SubmitGroupAsync(group, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SubmitGroupAsync(List<Attempt> members, CancellationToken cancellationToken)
    {
        members = [.. members.Where(m => _attempts.ContainsKey(m.Id))];
        if (members.Count == 0)
        {
            return;
        }

        Attempt first = members[0];
        var group = new Group(first.Stem + "-group", members);
        var script = new StringBuilder("#!/bin/sh\n# Coalesced Toil worker attempts, run one after another.\n");
        foreach (Attempt m in members)
        {
            script.Append("if [ ! -e ").Append(Quote(m.SkipFile)).Append(" ]; then (. ").Append(Quote(m.EnvironmentFile)).Append("; exec");
            foreach (string part in m.Command!)
            {
                script.Append(' ').Append(Quote(part));
            }

            script.Append(") >").Append(Quote(m.OutputFile)).Append(" 2>").Append(Quote(m.ErrorFile))
                .Append("; echo $? >").Append(Quote(m.StatusFile + ".tmp")).Append(" && mv ").Append(Quote(m.StatusFile + ".tmp")).Append(' ').Append(Quote(m.StatusFile))
                .Append("; fi\n");
        }

        WritePrivateFile(group.ScriptFile, script.ToString(), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        JobResources resources = first.Request!.Resources;
        bool allTimed = members.All(m => m.Request!.Resources.Walltime > TimeSpan.Zero);
        var request = first.Request with
        {
            DisplayName = string.Create(CultureInfo.InvariantCulture, $"coalesced_{members.Count}"),
            Resources = resources with { Walltime = allTimed ? TimeSpan.FromTicks(members.Sum(m => m.Request!.Resources.Walltime.Ticks)) : TimeSpan.Zero },
        };
        List<string> arguments = SbatchArguments(request, new Attempt(first.Id, group.Stem), first.Id);
        try
        {
            SlurmCommandResult result = await _commands.RunAsync("sbatch", arguments, null, cancellationToken).ConfigureAwait(false);
            group.SlurmJobId = SlurmOutputParser.ParseSbatch(result.StandardOutput);
        }
        catch (Exception e) when (e is SlurmCommandException or FormatException)
        {
            // The attempts were already issued: each is reported as a batch-system error, and the leader decides.
            foreach (Attempt m in members)
            {
                Report(m, new BatchJobUpdate(m.Id, 1, BatchJobExitReason.Error) { Detail = "sbatch of a coalesced allocation failed: " + e.Message });
            }

            return;
        }

        foreach (Attempt m in members)
        {
            m.Group = group;
            m.SlurmJobId = group.SlurmJobId;
            SlurmLog.Submitted(_log, m.Id, m.Request!.JobName, group.SlurmJobId);
        }
    }

    private static long MemoryMiB(JobResources resources) => Math.Max(1, (long)Math.Ceiling(resources.Memory.Bytes / (1024.0 * 1024.0)));

    private static bool IsUnsatisfiable(string standardError) =>
        standardError.Contains("Requested node configuration is not available", StringComparison.OrdinalIgnoreCase)
        || standardError.Contains("Memory specification can not be satisfied", StringComparison.OrdinalIgnoreCase)
        || standardError.Contains("More processors requested than permitted", StringComparison.OrdinalIgnoreCase);

    /// <summary>The Slurm comment of every attempt of a workflow: <c>toil-workflow=</c> and its ID (letters, digits, '-', '_' and '.' kept).</summary>
    internal static string WorkflowComment(string workflowId) =>
        "toil-workflow=" + new string([.. workflowId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_')]);

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static void WriteEnvironmentFile(string path, IReadOnlyDictionary<string, string> environment)
    {
        // The environment may hold secrets: it goes to a file only its owner can read, which the job script sources on the
        // node, never onto sbatch's command line (visible to every user of the machine) or into the job's stored script.
        var text = new StringBuilder();
        foreach ((string name, string value) in environment)
        {
            if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') || char.IsAsciiDigit(name[0]))
            {
                throw new ArgumentException($"'{name}' is not a valid environment variable name for a Slurm job.", nameof(environment));
            }

            text.Append("export ").Append(name).Append('=').Append(Quote(value)).Append('\n');
        }

        WritePrivateFile(path, text.ToString(), UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private static void WritePrivateFile(string path, string text, UnixFileMode mode)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        File.Delete(path); // The mode applies only to a new file.
        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }

    private void WriteScript(string path, string environmentFile, BatchJobRequest request)
    {
        var script = new StringBuilder("#!/bin/sh\n");
        script.Append("# Toil worker attempt for ").Append(request.JobName.Replace('\n', ' ')).Append('\n');
        script.Append(". ").Append(Quote(environmentFile)).Append('\n');
        script.Append("exec");
        foreach (string part in _options.WorkerCommand.Concat(request.WorkerArguments))
        {
            script.Append(' ').Append(Quote(part));
        }

        script.Append('\n');
        WritePrivateFile(path, script.ToString(), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private List<string> SbatchArguments(BatchJobRequest request, Attempt attempt, long id)
    {
        JobResources resources = request.Resources;
        string name = request.DisplayName is { Length: > 0 } d ? d : request.JobName;
        var arguments = new List<string>
        {
            "--parsable",
            "--job-name=" + string.Create(CultureInfo.InvariantCulture, $"toil_{id}_") + new string([.. name.Take(64).Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_')]),
            "--cpus-per-task=" + Math.Max(1, (int)Math.Ceiling(resources.Cores)).ToString(CultureInfo.InvariantCulture),
            "--mem=" + MemoryMiB(resources).ToString(CultureInfo.InvariantCulture),
            "--export=ALL",
            "--output=" + attempt.OutputFile,
            "--error=" + attempt.ErrorFile,
            "--no-requeue",

            // Names the workflow, so a restarted leader's fence finds the jobs this one leaves if it is killed.
            "--comment=" + WorkflowComment(request.JobStore.Config.WorkflowId),
        };
        if (resources.Walltime > TimeSpan.Zero)
        {
            arguments.Add("--time=" + SlurmOutputParser.FormatTime(resources.Walltime));
        }

        int gpus = resources.Accelerators.Sum(a => a.Count);
        if (gpus > 0)
        {
            arguments.Add("--gpus=" + gpus.ToString(CultureInfo.InvariantCulture));
        }

        if (_options.Partition is { Length: > 0 } partition)
        {
            arguments.Add("--partition=" + partition);
        }

        if (_options.Account is { Length: > 0 } account)
        {
            arguments.Add("--account=" + account);
        }

        if (_options.Qos is { Length: > 0 } qos)
        {
            arguments.Add("--qos=" + qos);
        }

        arguments.AddRange(_options.ExtraSbatchArguments);
        arguments.Add(attempt.ScriptFile);
        return arguments;
    }

    private void CheckJobStoreReachable(string locator, ClusterInfo cluster)
    {
        if (!locator.StartsWith("file:", StringComparison.Ordinal))
        {
            if (locator.StartsWith("memory:", StringComparison.Ordinal) || !locator.Contains(':', StringComparison.Ordinal))
            {
                throw new InvalidOperationException(
                    $"The Slurm batch system runs workers as separate processes on the cluster's nodes; they cannot open the job store '{locator}'. Use a file job store ('file:/shared/path') on a file system every node mounts (see docs/slurm.md).");
            }

            return;
        }

        bool remote = _options.NodesAreRemote ?? cluster.Nodes > 1;
        string path = Path.GetFullPath(locator["file:".Length..]);
        string temp = Path.GetFullPath(Path.GetTempPath());
        if (remote && (path + Path.DirectorySeparatorChar).StartsWith(temp.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"The job store '{locator}' is in this machine's temporary directory, which the Slurm cluster's other nodes cannot reach. Put the job store on a file system every node mounts at the same path (see docs/slurm.md).");
        }
    }

    private async Task<ClusterInfo> GetClusterAsync(CancellationToken cancellationToken)
    {
        if (_cluster is { } known)
        {
            return known;
        }

        await _clusterLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_cluster is { } again)
            {
                return again;
            }

            var sinfoArguments = new List<string> { "-h", "-N", "-o", SlurmOutputParser.SinfoFormat };
            if (_options.Partition is { Length: > 0 } partition)
            {
                sinfoArguments.Add("--partition=" + partition);
            }

            var nodes = SlurmOutputParser.ParseSinfoNodes((await _commands.RunAsync("sinfo", sinfoArguments, null, cancellationToken).ConfigureAwait(false)).StandardOutput);
            bool accounting = SlurmOutputParser.HasAccounting((await _commands.RunAsync("scontrol", ["show", "config"], null, cancellationToken).ConfigureAwait(false)).StandardOutput);
            var cluster = new ClusterInfo(
                nodes.Count,
                nodes.Count == 0 ? int.MaxValue : nodes.Max(n => n.Cpus),
                nodes.Count == 0 ? long.MaxValue : nodes.Max(n => n.MemoryMiB),
                accounting);
            SlurmLog.Cluster(_log, cluster.Nodes, cluster.MaxCpus, cluster.MaxMemoryMiB, accounting ? "on (sacct)" : "off (scontrol)");
            _cluster = cluster;
            return cluster;
        }
        finally
        {
            _clusterLock.Release();
        }
    }

    /// <summary>
    /// <c>scancel</c> of <paramref name="slurmJobIds"/> (one Slurm no longer knows is no error), then <c>squeue</c> until
    /// every one has ended, at most <see cref="SlurmBatchSystemOptions.KillTimeout"/> (logged when it passes).
    /// </summary>
    private async Task CancelAndWaitAsync(IReadOnlyCollection<long> slurmJobIds, CancellationToken cancellationToken)
    {
        string[] ids = [.. slurmJobIds.Distinct().Select(i => i.ToString(CultureInfo.InvariantCulture))];
        await _commands.RunAsync("scancel", ids, r => r.StandardError.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase), cancellationToken)
            .ConfigureAwait(false);

        string joined = string.Join(',', ids);
        long start = _time.GetTimestamp();
        while ((await SqueueAsync(joined, cancellationToken).ConfigureAwait(false)).Any(j => !j.IsTerminal))
        {
            if (_time.GetElapsedTime(start) > _options.KillTimeout)
            {
                SlurmLog.KillTimedOut(_log, joined, _options.KillTimeout);
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<IReadOnlyList<SlurmJobInfo>> SqueueAsync(string ids, CancellationToken cancellationToken)
    {
        // One call for every job: "-t all" keeps ended jobs Slurm still remembers; unknown IDs only make squeue fail
        // when none is known, which is an answer (all of them are gone), not a failure.
        SlurmCommandResult result = await _commands.RunAsync(
            "squeue",
            ["-h", "-t", "all", "-o", SlurmOutputParser.SqueueFormat, "-j", ids],
            r => r.StandardError.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase),
            cancellationToken).ConfigureAwait(false);
        return result.ExitCode == 0 ? SlurmOutputParser.ParseSqueue(result.StandardOutput) : [];
    }

    private void EnsurePolling()
    {
        lock (_pollerLock)
        {
            _poller ??= Task.Run(() => PollLoopAsync(_stopping.Token));
        }
    }

    private async Task PollLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.PollInterval, _time, cancellationToken).ConfigureAwait(false);
                await PollOnceAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (SlurmCommandException e)
            {
                // A controller that stays unreachable past the retries: the leader still waits for these attempts, so
                // say so loudly and keep polling rather than losing them.
                SlurmLog.PollFailed(_log, e);
            }
        }
    }

    private sealed record ClusterInfo(int Nodes, int MaxCpus, long MaxMemoryMiB, bool Accounting);

    private sealed class Group(string stem, List<Attempt> members)
    {
        public string Stem { get; } = stem;

        public List<Attempt> Members { get; } = members;

        public long SlurmJobId { get; set; }

        public bool CancelledByUs { get; set; }

        public string ScriptFile => Stem + ".sh";

        public string OutputFile => Stem + ".out";

        public string ErrorFile => Stem + ".err";

        public bool ErrorFileSays(string text) => new Attempt(0, Stem).ErrorFileSays(text);

        public void DeleteFiles()
        {
            File.Delete(ScriptFile);
            File.Delete(OutputFile);
            File.Delete(ErrorFile);
        }
    }

    private sealed class Attempt(long id, string stem)
    {
        public long Id { get; } = id;

        public string Stem { get; } = stem;

        public Group? Group { get; set; }

        public IReadOnlyList<string>? Command { get; set; }

        public BatchJobRequest? Request { get; set; }

        public DateTimeOffset QueuedAt { get; set; }

        public string StatusFile { get; } = stem + ".status";

        public string SkipFile { get; } = stem + ".skip";

        public int? ReadStatus()
        {
            try
            {
                return int.TryParse(File.ReadAllText(StatusFile).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int code) ? code : null;
            }
            catch (IOException)
            {
                return null;
            }
        }

        public long SlurmJobId { get; set; }

        public DateTimeOffset? StartedAt { get; set; }

        public string ScriptFile { get; } = stem + ".sh";

        public string EnvironmentFile { get; } = stem + ".env";

        public string OutputFile { get; } = stem + ".out";

        public string ErrorFile { get; } = stem + ".err";

        public IReadOnlyList<string> OutputFiles() => [.. new[] { OutputFile, ErrorFile }.Where(File.Exists)];

        public bool ErrorFileSays(string text)
        {
            try
            {
                using var stream = new FileStream(ErrorFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                stream.Seek(Math.Max(0, stream.Length - 16384), SeekOrigin.Begin);
                using var reader = new StreamReader(stream);
                return reader.ReadToEnd().Contains(text, StringComparison.Ordinal);
            }
            catch (IOException)
            {
                return false;
            }
        }

        public void DeleteScripts()
        {
            File.Delete(ScriptFile);
            File.Delete(EnvironmentFile);
            File.Delete(SkipFile);
        }

        public void DeleteOutput()
        {
            File.Delete(OutputFile);
            File.Delete(ErrorFile);
        }
    }
}
