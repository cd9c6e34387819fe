using System.Globalization;

namespace Toil.Runtime.Jobs;

/// <summary>
/// The persisted description of a job (Toil's <c>JobDescription</c>): names, requirements, retry state, the
/// successor-phase stack, services, the body reference and commit bookkeeping. It is the only thing a job store
/// keeps about a job; user-facing job code never depends on it directly.
/// </summary>
/// <remarks>
/// <para>
/// Successors live in a stack of phases; the rightmost non-empty phase runs first. The last two phases are always
/// this job's own follow-ons and children, and <see cref="Children"/> and <see cref="FollowOns"/> are views of them;
/// phases adopted by chaining (<see cref="Replace"/>) sit to their left and so run after them. Unlike Toil, filtering
/// never drops the job's own two phases, so a child added after a filter is never lost.
/// </para>
/// <para>Equality is identity, as in Toil: two descriptions with identical fields are not equal.</para>
/// <para>
/// Every collection is made on first use (docs/performance.md, "Allocations of a chained job"): most descriptions
/// of a chain have no services, no journal, no merged names and no successors, and a store copies each version. A
/// public collection property makes its collection when it is read (it is a live, mutable view as before); the
/// library's own read paths look at the backing fields and see "nothing" until then.
/// </para>
/// </remarks>
public class JobDescription
{
    private const string TemporaryPrefix = "tmp-";

    // An empty phase copied from another description (a store copies every version) is this shared set, never
    // changed: AddChild and AddFollowOn swap in a set of the job's own first, and the public views swap them all.
    private static readonly HashSet<string> NoSuccessors = new(StringComparer.Ordinal);

    // Null until a phase is first needed: stands for the job's own two phases, both empty, and no adopted phase.
    private List<HashSet<string>>? _phases;

    // Copy-on-write of the successor phases (docs/decisions.md#job-model): a copy takes the source's non-empty phase sets
    // as they are and both sides set this; whichever side then changes a phase, or hands out a live view, first swaps in
    // sets of its own (UnsharePhases), so a change through one copy never reaches another.
    private bool _sharedPhases;
    private HashSet<string>? _predecessorsFinished;
    private Dictionary<string, List<string>>? _serviceTree;
    private List<string>? _filesToDelete;
    private List<JobNames>? _mergedJobNames;
    private HashSet<string>? _filesToUse;
    private WorkflowConfig? _config;
    private string _jobName;
    private string _unitName = string.Empty;
    private string _displayName;
    private TextCache? _text;

    /// <summary>Creates a description with a new temporary ID and no body.</summary>
    /// <param name="jobName">The job name (for a registered job type, usually its type name).</param>
    /// <param name="requirements">Explicit requirements; unset values fall back to the workflow defaults.</param>
    /// <param name="unitName">The unit name (e.g. a tool or step name).</param>
    /// <param name="displayName">The display name; defaults to <paramref name="jobName"/>.</param>
    /// <param name="local">Whether the job is cheap and may run on the leader.</param>
    public JobDescription(string jobName, JobRequirements? requirements = null, string? unitName = null, string? displayName = null, bool local = false)
    {
        _jobName = jobName ?? string.Empty;
        _unitName = unitName ?? string.Empty;
        _displayName = displayName ?? _jobName;
        Requirements = requirements ?? JobRequirements.None;
        Local = local;
        JobStoreId = NewTemporaryId();
    }

    // For a record read back from a store, which has its ID: no temporary ID is made (a GUID costs a read of the
    // kernel's random source) only to be overwritten.
    internal JobDescription(string jobName, string jobStoreId)
    {
        _jobName = jobName ?? string.Empty;
        _displayName = _jobName;
        Requirements = JobRequirements.None;
        JobStoreId = jobStoreId;
    }

    /// <summary>The job name.</summary>
    public string JobName { get => _jobName; set => _jobName = value ?? string.Empty; }

    /// <summary>The unit name.</summary>
    public string UnitName { get => _unitName; set => _unitName = value ?? string.Empty; }

    /// <summary>The display name.</summary>
    public string DisplayName { get => _displayName; set => _displayName = value ?? string.Empty; }

    /// <summary>The job-store ID; a temporary ID (see <see cref="IsTemporaryId"/>) until a job store assigns one.</summary>
    public string JobStoreId { get; set; }

    /// <summary>Whether the job is cheap and latency-sensitive and may run on the leader.</summary>
    public bool Local { get; set; }

    /// <summary>The explicitly set requirements; unset values fall back to <see cref="Config"/>.</summary>
    public JobRequirements Requirements { get; set; }

    /// <summary>The workflow configuration attached by the job store, or <see langword="null"/> before that.</summary>
    public WorkflowConfig? Config => _config;

    /// <summary>Tries left; <see langword="null"/> means <c>RetryCount + 1</c> from the configuration.</summary>
    public int? RemainingTryCountOverride { get; set; }

    /// <summary>The backoff in seconds after the last charged retry; <see langword="null"/> when none was charged.</summary>
    public double? RetryBackoffSecondsOverride { get; set; }

    /// <summary>The number of direct predecessor relationships.</summary>
    public int PredecessorNumber { get; set; }

    /// <summary>IDs of predecessors the leader has seen finish (leader state).</summary>
    public HashSet<string> PredecessorsFinished => _predecessorsFinished ??= new(StringComparer.Ordinal);

    /// <summary>Service hosts of this job, each with the list of its child services.</summary>
    public Dictionary<string, List<string>> ServiceTree => _serviceTree ??= new(StringComparer.Ordinal);

    /// <summary>The not-yet-run work, or <see langword="null"/> once the body has run.</summary>
    public JobBody? Body { get; private set; }

    /// <summary>The file ID of the log of the last failed attempt, or <see langword="null"/>.</summary>
    public string? LogJobStoreFileId { get; set; }

    /// <summary>Journal of file IDs to delete once this version is committed; empty unless a commit is in flight.</summary>
    public List<string> FilesToDelete => _filesToDelete ??= [];

    /// <summary>Names of every job merged into this record by chaining, in execution order; empty if it never chained.</summary>
    public List<JobNames> MergedJobNames => _mergedJobNames ??= [];

    /// <summary>File IDs the job intends to read (informational).</summary>
    public HashSet<string> FilesToUse => _filesToUse ??= new(StringComparer.Ordinal);

    /// <summary>The record version; it rises by one on every job-store write.</summary>
    public long Version { get; set; }

    /// <summary>The process ID of the last writer.</summary>
    internal int VersionWriter { get; set; }

    /// <summary>The successor phases, leftmost first; the rightmost non-empty phase runs first.</summary>
    public IReadOnlyList<IReadOnlySet<string>> SuccessorPhases => OwnedPhases();

    /// <summary>
    /// The phases themselves, for the serializer's checks (no interface enumerators), or <see langword="null"/> while
    /// there are only the job's own two phases and both are empty. Read only: an empty phase may be a shared set.
    /// </summary>
    internal List<HashSet<string>>? PhasesOrNull => _phases;

    /// <summary><see cref="PredecessorsFinished"/> if it was ever made, else <see langword="null"/>. Read only.</summary>
    internal HashSet<string>? PredecessorsFinishedOrNull => _predecessorsFinished;

    /// <summary><see cref="ServiceTree"/> if it was ever made, else <see langword="null"/>. Read only.</summary>
    internal Dictionary<string, List<string>>? ServiceTreeOrNull => _serviceTree;

    /// <summary><see cref="FilesToDelete"/> if it was ever made, else <see langword="null"/>. Read only.</summary>
    internal List<string>? FilesToDeleteOrNull => _filesToDelete;

    /// <summary><see cref="MergedJobNames"/> if it was ever made, else <see langword="null"/>. Read only.</summary>
    internal List<JobNames>? MergedJobNamesOrNull => _mergedJobNames;

    /// <summary><see cref="FilesToUse"/> if it was ever made, else <see langword="null"/>. Read only.</summary>
    internal HashSet<string>? FilesToUseOrNull => _filesToUse;

    /// <summary>Whether the job has a service host, without making the service tree.</summary>
    internal bool HasServices => _serviceTree is { Count: > 0 };

    /// <summary>Whether a commit is in flight (a non-empty <see cref="FilesToDelete"/>), without making the list.</summary>
    internal bool HasFilesToDelete => _filesToDelete is { Count: > 0 };

    /// <summary>The number of merged job names, without making the list.</summary>
    internal int MergedJobNameCount => _mergedJobNames?.Count ?? 0;

    /// <summary>The job's own children (a view of the last phase).</summary>
    public IReadOnlySet<string> Children => OwnedPhases()[^1];

    /// <summary>The job's own follow-ons (a view of the second-to-last phase).</summary>
    public IReadOnlySet<string> FollowOns => OwnedPhases()[^2];

    /// <summary>Whether the body has not run yet.</summary>
    public bool HasBody => Body is not null;

    /// <summary>The service host IDs.</summary>
    public IEnumerable<string> Services => _serviceTree is null ? [] : _serviceTree.Keys;

    /// <summary>Resolved memory requirement.</summary>
    public DataSize Memory => Requirements.Memory ?? RequireConfig().DefaultMemory;

    /// <summary>Resolved cores requirement.</summary>
    public double Cores => Requirements.Cores ?? RequireConfig().DefaultCores;

    /// <summary>Resolved disk requirement.</summary>
    public DataSize Disk => Requirements.Disk ?? RequireConfig().DefaultDisk;

    /// <summary>Resolved accelerators requirement.</summary>
    public IReadOnlyList<AcceleratorRequirement> Accelerators => Requirements.Accelerators ?? RequireConfig().DefaultAccelerators;

    /// <summary>Resolved preemptible flag.</summary>
    public bool Preemptible => Requirements.Preemptible ?? RequireConfig().DefaultPreemptible;

    /// <summary>Resolved walltime; zero means none.</summary>
    public TimeSpan Walltime => Requirements.Walltime ?? RequireConfig().DefaultWalltime;

    /// <summary>Tries left (the override, else the configuration's retry count + 1).</summary>
    public int RemainingTryCount
    {
        get => RemainingTryCountOverride ?? (RequireConfig().RetryCount + 1);
        set => RemainingTryCountOverride = value;
    }

    /// <summary>The backoff to wait before the next try; zero until a retry is charged.</summary>
    public TimeSpan RetryBackoff => TimeSpan.FromSeconds(RetryBackoffSecondsOverride ?? 0);

    /// <summary>Creates a new temporary ID, unique in the process, that a job store later replaces.</summary>
    /// <returns>The temporary ID.</returns>
    internal static string NewTemporaryId() => TemporaryPrefix + Guid.NewGuid().ToString("N");

    /// <summary>Whether <paramref name="id"/> is a temporary ID made by <see cref="NewTemporaryId"/>.</summary>
    /// <param name="id">The ID.</param>
    /// <returns><see langword="true"/> for a temporary ID.</returns>
    public static bool IsTemporaryId(string? id) => id is not null && id.StartsWith(TemporaryPrefix, StringComparison.Ordinal);

    /// <summary>Attaches the workflow configuration. A job store calls it on every load.</summary>
    /// <param name="config">The configuration.</param>
    public void AssignConfig(WorkflowConfig config) => _config = config ?? throw new ArgumentNullException(nameof(config));

    /// <summary>Attaches the body (the job's not-yet-run work).</summary>
    /// <param name="body">The body reference.</param>
    public void AttachBody(JobBody body) => Body = body ?? throw new ArgumentNullException(nameof(body));

    /// <summary>Detaches the body, marking the job's own work as done.</summary>
    public void DetachBody() => Body = null;

    /// <summary>Returns the body.</summary>
    /// <returns>The body reference.</returns>
    /// <exception cref="InvalidOperationException">The job has no body.</exception>
    public JobBody GetBody() => Body ?? throw new InvalidOperationException($"Job {this} has no body.");

    /// <summary>The job's names, with its current ID.</summary>
    /// <returns>The names.</returns>
    internal JobNames GetNames() => new(JobName, UnitName, DisplayName, DisplayName, JobStoreId);

    /// <summary>
    /// The jobs that ran as this record: its merged names when it chained, else just its own names. A worker deletes
    /// every entry's ID when the subtree is done.
    /// </summary>
    /// <returns>The chain, in execution order.</returns>
    public IReadOnlyList<JobNames> GetChain() => _mergedJobNames is not { Count: > 0 } merged ? [GetNames()] : [.. merged];

    /// <summary>Adds a child ID to the job's own children.</summary>
    /// <param name="childId">The child's ID.</param>
    public void AddChild(string childId) => OwnedPhase(1).Add(childId ?? throw new ArgumentNullException(nameof(childId)));

    /// <summary>Adds a follow-on ID to the job's own follow-ons.</summary>
    /// <param name="followOnId">The follow-on's ID.</param>
    public void AddFollowOn(string followOnId) => OwnedPhase(2).Add(followOnId ?? throw new ArgumentNullException(nameof(followOnId)));

    /// <summary>Adds a service host, optionally as a child of another service host.</summary>
    /// <param name="serviceId">The service host's ID.</param>
    /// <param name="parentServiceId">The parent service host's ID, or <see langword="null"/> for a top-level service.</param>
    /// <exception cref="InvalidOperationException">The service is already present, or the parent is not.</exception>
    public void AddServiceHostJob(string serviceId, string? parentServiceId = null)
    {
        ArgumentNullException.ThrowIfNull(serviceId);
        if (ServiceTree.ContainsKey(serviceId))
        {
            throw new InvalidOperationException($"Service {serviceId} is already a service of {this}.");
        }

        if (parentServiceId is not null)
        {
            if (!ServiceTree.TryGetValue(parentServiceId, out var siblings))
            {
                throw new InvalidOperationException($"Parent service {parentServiceId} is not a service of {this}.");
            }

            siblings.Add(serviceId);
        }

        ServiceTree[serviceId] = [];
    }

    /// <summary>Every successor ID of every phase, phases taken from the left.</summary>
    /// <returns>The IDs.</returns>
    public IEnumerable<string> AllSuccessors() => _phases is null ? [] : _phases.SelectMany(p => p);

    /// <summary>Every successor with the index of its phase.</summary>
    /// <returns>(phase index, ID) pairs.</returns>
    internal IEnumerable<(int Phase, string JobId)> SuccessorsByPhase() => _phases is null ? [] : _phases.SelectMany((p, i) => p.Select(id => (i, id)));

    /// <summary>Every successor, then every service host.</summary>
    /// <returns>The IDs.</returns>
    public IEnumerable<string> SuccessorsAndServiceHosts() => AllSuccessors().Concat(Services);

    /// <summary>Service hosts in start order: first those that are nobody's child, then their children, and so on.</summary>
    /// <returns>Non-empty batches.</returns>
    internal IEnumerable<IReadOnlyList<string>> ServiceHostIdsInBatches()
    {
        if (_serviceTree is not { Count: > 0 })
        {
            yield break;
        }

        var children = ServiceTree.Values.SelectMany(c => c).ToHashSet(StringComparer.Ordinal);
        List<string> batch = [.. ServiceTree.Keys.Where(k => !children.Contains(k))];
        while (batch.Count > 0)
        {
            yield return batch;
            batch = [.. batch.SelectMany(id => ServiceTree.TryGetValue(id, out var c) ? c : [])];
        }
    }

    /// <summary>
    /// The successors that run next: an empty set while the body is pending (the job must run first), the rightmost
    /// non-empty phase otherwise, or <see langword="null"/> when nothing is left. The result is a copy.
    /// </summary>
    /// <returns>The next phase, an empty set, or <see langword="null"/>.</returns>
    public IReadOnlySet<string>? NextSuccessors()
    {
        if (HasBody)
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }

        for (int i = (_phases?.Count ?? 0) - 1; i >= 0; i--)
        {
            if (_phases![i].Count > 0)
            {
                return new HashSet<string>(_phases[i], StringComparer.Ordinal);
            }
        }

        return null;
    }

    /// <summary>Removes every successor that <paramref name="keep"/> rejects, then drops empty adopted phases.</summary>
    /// <param name="keep">Returns <see langword="true"/> for IDs to keep.</param>
    public void FilterSuccessors(Func<string, bool> keep)
    {
        ArgumentNullException.ThrowIfNull(keep);
        if (_phases is null)
        {
            return;
        }

        foreach (var phase in UnsharePhases())
        {
            if (phase.Count > 0)
            {
                phase.RemoveWhere(id => !keep(id));
            }
        }

        DropEmptyAdoptedPhases(_phases);
    }

    /// <summary>
    /// Removes one successor, as <c>FilterSuccessors(s =&gt; s != id)</c> does, in constant time per phase instead of a
    /// pass over every successor: the leader drops each finished child from its parent this way, and a parent of N
    /// children would otherwise cost N² checks.
    /// </summary>
    /// <param name="id">The successor to remove.</param>
    internal void RemoveSuccessor(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (_phases is null)
        {
            return;
        }

        foreach (var phase in UnsharePhases())
        {
            phase.Remove(id);
        }

        DropEmptyAdoptedPhases(_phases);
    }

    // The own two phases always stay (they back Children and FollowOns); adopted empty phases go.
    private static void DropEmptyAdoptedPhases(List<HashSet<string>> phases)
    {
        for (int i = phases.Count - 3; i >= 0; i--)
        {
            if (phases[i].Count == 0)
            {
                phases.RemoveAt(i);
            }
        }
    }

    /// <summary>Removes every service host that <paramref name="keep"/> rejects, as a key and from every child list.</summary>
    /// <param name="keep">Returns <see langword="true"/> for IDs to keep.</param>
    internal void FilterServiceHosts(Func<string, bool> keep)
    {
        ArgumentNullException.ThrowIfNull(keep);
        if (_serviceTree is null)
        {
            return;
        }

        foreach (string id in ServiceTree.Keys.Where(k => !keep(k)).ToList())
        {
            ServiceTree.Remove(id);
        }

        foreach (var list in ServiceTree.Values)
        {
            list.RemoveAll(id => !keep(id));
        }
    }

    /// <summary>Removes every successor and service: two fresh empty own phases and no services.</summary>
    public void ClearDependents()
    {
        // A phase list already handed out stays the live one (as before): it gets two fresh empty phases.
        if (_phases is not null)
        {
            _phases.Clear();
            _phases.Add(new HashSet<string>(StringComparer.Ordinal));
            _phases.Add(new HashSet<string>(StringComparer.Ordinal));
            _sharedPhases = false;
        }

        _serviceTree?.Clear();
    }

    /// <summary>Whether the job and everything under it is done: no body, no successor, no service.</summary>
    /// <returns><see langword="true"/> when done.</returns>
    internal bool IsSubtreeDone() => !HasBody && !HasSuccessors() && !HasServices;

    /// <summary>Whether any phase holds a successor (no enumerator, no collection made).</summary>
    /// <returns><see langword="true"/> when there is a successor.</returns>
    internal bool HasSuccessors()
    {
        if (_phases is null)
        {
            return false;
        }

        foreach (var phase in _phases)
        {
            if (phase.Count > 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The chaining primitive: this job (the successor) takes the place of <paramref name="other"/> (its predecessor).
    /// The predecessor's remaining phases, without this job's ID and without empty phases, go to the left of this
    /// job's phases (so they run after them); the merged names record both; this job takes the predecessor's ID and
    /// version. Requirements, tries, the local flag, the predecessor count and the log ID stay this job's own.
    /// </summary>
    /// <param name="other">The predecessor.</param>
    /// <exception cref="InvalidOperationException">Either side has a commit in flight (a non-empty <see cref="FilesToDelete"/>).</exception>
    public void Replace(JobDescription other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (HasFilesToDelete || other.HasFilesToDelete)
        {
            throw new InvalidOperationException($"Cannot chain {this} into {other}: a commit is in flight (files to delete are pending).");
        }

        // Loops, not LINQ: every chained job runs this. Empty phases (most of a chain's) cost nothing.
        List<HashSet<string>>? adopted = null;
        foreach (var phase in other._phases ?? [])
        {
            if (phase.Count == 0 || (phase.Count == 1 && phase.Contains(JobStoreId)))
            {
                continue;
            }

            HashSet<string> kept;
            if (phase.Contains(JobStoreId))
            {
                kept = new HashSet<string>(StringComparer.Ordinal);
                foreach (string id in phase)
                {
                    if (id != JobStoreId)
                    {
                        kept.Add(id);
                    }
                }
            }
            else
            {
                kept = new HashSet<string>(phase, StringComparer.Ordinal);
            }

            (adopted ??= []).Add(kept);
        }

        if (adopted is not null)
        {
            EnsurePhases().InsertRange(0, adopted);
        }

        int otherCount = other.MergedJobNameCount;
        int ownCount = MergedJobNameCount;
        List<JobNames> merged = new(otherCount + ownCount + 2);
        if (otherCount == 0)
        {
            merged.Add(other.GetNames());
        }
        else
        {
            merged.AddRange(other._mergedJobNames!);
        }

        if (ownCount == 0)
        {
            merged.Add(GetNames());
        }
        else
        {
            merged.AddRange(_mergedJobNames!);
        }

        if (_mergedJobNames is null)
        {
            _mergedJobNames = merged;
        }
        else
        {
            // A list already handed out stays the live one.
            _mergedJobNames.Clear();
            _mergedJobNames.AddRange(merged);
        }

        JobStoreId = other.JobStoreId;
        Version = other.Version;
        VersionWriter = Environment.ProcessId;
    }

    /// <summary>Rewrites IDs (typically temporary ones) in successors and services.</summary>
    /// <param name="renames">Old ID to new ID.</param>
    internal void RenameReferences(IReadOnlyDictionary<string, string> renames)
    {
        ArgumentNullException.ThrowIfNull(renames);
        string Map(string id) => renames.TryGetValue(id, out var n) ? n : id;
        foreach (var phase in _phases is null ? [] : UnsharePhases())
        {
            if (phase.Count == 0)
            {
                continue;
            }

            var renamed = phase.Select(Map).ToList();
            phase.Clear();
            phase.UnionWith(renamed);
        }

        if (_serviceTree is not { Count: > 0 })
        {
            return;
        }

        var tree = _serviceTree.ToList();
        ServiceTree.Clear();
        foreach (var (host, children) in tree)
        {
            ServiceTree[Map(host)] = [.. children.Select(Map)];
        }
    }

    /// <summary>
    /// Charges one try (floor 0) and grows the backoff: the configured initial backoff on the first charge, times the
    /// backoff factor on each later one.
    /// </summary>
    internal void ChargeRetry()
    {
        var config = RequireConfig();
        RemainingTryCount = Math.Max(0, RemainingTryCount - 1);
        RetryBackoffSecondsOverride = RetryBackoffSecondsOverride is { } b ? b * config.RetryBackoffFactor : config.RetryBackoffSeconds;
    }

    /// <summary>
    /// Prepares the job for another try after a failed attempt: charges a retry (unless unlimited preemptible retries
    /// are on and the job was lost), doubles memory on a memory-limit kill when configured, and raises memory and disk
    /// to at least the workflow defaults.
    /// </summary>
    /// <param name="exitReason">Why the attempt ended, if known.</param>
    public void SetupJobAfterFailure(BatchJobExitReason exitReason = BatchJobExitReason.Unknown)
    {
        var config = RequireConfig();
        if (!(config.EnableUnlimitedPreemptibleRetries && exitReason == BatchJobExitReason.Lost))
        {
            ChargeRetry();
        }

        long memory = Memory.Bytes;
        if (exitReason == BatchJobExitReason.MemLimit && config.DoubleMemory)
        {
            // Saturate: a retry must never fail because the doubled request does not fit in a long.
            memory = memory > long.MaxValue / 2 ? long.MaxValue : memory * 2;
        }

        Requirements = Requirements with
        {
            Memory = Math.Max(memory, config.DefaultMemory.Bytes),
            Disk = Math.Max(Disk.Bytes, config.DefaultDisk.Bytes),
        };
    }

    /// <summary>Clears the retry state.</summary>
    /// <returns>Whether anything changed.</returns>
    public bool ResetRetries()
    {
        bool changed = RemainingTryCountOverride is not null || RetryBackoffSecondsOverride is not null;
        RemainingTryCountOverride = null;
        RetryBackoffSecondsOverride = null;
        return changed;
    }

    /// <summary>Called by a job store before every create or update: version + 1, writer = this process.</summary>
    internal void IncrementVersion()
    {
        Version++;
        VersionWriter = Environment.ProcessId;
    }

    /// <summary>Reserves <paramref name="count"/> versions, for a write that a background commit will make.</summary>
    /// <param name="count">How many versions.</param>
    internal void ReserveVersions(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Version += count;
        VersionWriter = Environment.ProcessId;
    }

    /// <summary>Throws if <paramref name="other"/> has a lower version than this description.</summary>
    /// <param name="other">The description expected to be at least as new.</param>
    /// <exception cref="InvalidOperationException">This description is newer.</exception>
    internal void AssertIsNotNewerThan(JobDescription other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Version < Version)
        {
            throw new InvalidOperationException($"Cannot replace {this} with the older {other}.");
        }
    }

    /// <summary>Whether <paramref name="other"/> describes the same job at a strictly higher version.</summary>
    /// <param name="other">The other description.</param>
    /// <returns><see langword="true"/> when <paramref name="other"/> is an update of this job.</returns>
    internal bool IsUpdatedBy(JobDescription other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return other.JobStoreId == JobStoreId && other.Version > Version;
    }

    /// <summary>A deep copy, sharing only the attached configuration.</summary>
    /// <returns>The copy.</returns>
    public JobDescription Clone()
    {
        var copy = CreateEmptyCopy();
        copy.CopyFrom(this);
        return copy;
    }

    /// <summary>A deep copy of the same kind, as a store reads a record back: a plain or a checkpoint description.</summary>
    internal JobDescription CopyAsRecord()
    {
        JobDescription copy = this is CheckpointJobDescription ? new CheckpointJobDescription(JobName, JobStoreId) : new JobDescription(JobName, JobStoreId);
        copy.CopyFrom(this);
        return copy;
    }

    /// <summary>Replaces the phases (used by deserialization). At least two phases are required.</summary>
    /// <param name="phases">The phases, leftmost first; the last two are the job's own follow-ons and children.</param>
    /// <exception cref="ArgumentException">Fewer than two phases.</exception>
    public void SetSuccessorPhases(IEnumerable<IEnumerable<string>> phases)
    {
        ArgumentNullException.ThrowIfNull(phases);
        var list = phases.Select(p => new HashSet<string>(p, StringComparer.Ordinal)).ToList();
        if (list.Count < 2)
        {
            throw new ArgumentException("A job has at least two successor phases (its own follow-ons and children).", nameof(phases));
        }

        if (_phases is null && list.Count == 2 && list[0].Count == 0 && list[1].Count == 0)
        {
            return;
        }

        var phasesList = EnsurePhases();
        phasesList.Clear();
        phasesList.AddRange(list);
        _sharedPhases = false;
    }

    /// <summary><c>'jobName' [unitName] id vVersion</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString()
    {
        // The worker's log lines and leader messages name a job several times per version: formatted once per version.
        TextCache? cache = _text;
        if (cache is not null && cache.Version == Version && ReferenceEquals(cache.JobStoreId, JobStoreId)
            && ReferenceEquals(cache.JobName, _jobName) && ReferenceEquals(cache.UnitName, _unitName))
        {
            return cache.Text;
        }

        string text = string.Create(CultureInfo.InvariantCulture, $"'{_jobName}' [{_unitName}] {JobStoreId} v{Version}");
        _text = new TextCache(_jobName, _unitName, JobStoreId, Version, text);
        return text;
    }

    /// <summary>Creates an empty instance of the same concrete type, for <see cref="Clone"/>.</summary>
    /// <returns>The instance.</returns>
    protected virtual JobDescription CreateEmptyCopy() => new(JobName);

    /// <summary>Copies every field of <paramref name="source"/> into this instance (deeply).</summary>
    /// <param name="source">The source.</param>
    protected virtual void CopyFrom(JobDescription source)
    {
        ArgumentNullException.ThrowIfNull(source);
        JobName = source.JobName;
        UnitName = source.UnitName;
        DisplayName = source.DisplayName;
        JobStoreId = source.JobStoreId;
        Local = source.Local;
        Requirements = source.Requirements;
        _config = source._config;
        RemainingTryCountOverride = source.RemainingTryCountOverride;
        RetryBackoffSecondsOverride = source.RetryBackoffSecondsOverride;
        PredecessorNumber = source.PredecessorNumber;
        // Only what the source has is copied (a store copies every version). A collection this instance already
        // made is cleared and refilled in place, so a reference handed out earlier stays this instance's own.
        CopySet(source._predecessorsFinished, ref _predecessorsFinished);
        if (source._serviceTree is { Count: > 0 } tree)
        {
            var own = _serviceTree ??= new Dictionary<string, List<string>>(tree.Count, StringComparer.Ordinal);
            own.Clear();
            foreach (var (k, v) in tree)
            {
                own[k] = [.. v];
            }
        }
        else
        {
            _serviceTree?.Clear();
        }

        Body = source.Body;
        LogJobStoreFileId = source.LogJobStoreFileId;
        CopyList(source._filesToDelete, ref _filesToDelete);
        CopyList(source._mergedJobNames, ref _mergedJobNames);
        CopySet(source._filesToUse, ref _filesToUse);
        Version = source.Version;
        VersionWriter = source.VersionWriter;

        // The phase sets are shared, not copied: each side copies them before its first change (UnsharePhases).
        if (source._phases is { } phases)
        {
            var own = _phases ??= new List<HashSet<string>>(phases.Count);
            own.Clear();
            bool shared = false;
            foreach (var phase in phases)
            {
                if (phase.Count == 0)
                {
                    own.Add(NoSuccessors);
                }
                else
                {
                    own.Add(phase);
                    shared = true;
                }
            }

            _sharedPhases = shared;
            if (shared && !source._sharedPhases)
            {
                source._sharedPhases = true;
            }
        }
        else if (_phases is not null)
        {
            _phases.Clear();
            _phases.Add(new HashSet<string>(StringComparer.Ordinal));
            _phases.Add(new HashSet<string>(StringComparer.Ordinal));
            _sharedPhases = false;
        }

        // The text of ToString is checked against the fields it was made from before it is used, so it can be shared.
        _text = source._text;
    }

    private static void CopySet(HashSet<string>? source, ref HashSet<string>? target)
    {
        if (source is { Count: > 0 })
        {
            if (target is null)
            {
                target = new HashSet<string>(source, StringComparer.Ordinal);
            }
            else
            {
                target.Clear();
                target.UnionWith(source);
            }
        }
        else
        {
            target?.Clear();
        }
    }

    private static void CopyList<T>(List<T>? source, ref List<T>? target)
    {
        if (source is { Count: > 0 })
        {
            if (target is null)
            {
                target = [.. source];
            }
            else
            {
                target.Clear();
                target.AddRange(source);
            }
        }
        else
        {
            target?.Clear();
        }
    }

    /// <summary>The phase list, made with the job's own two empty phases on first use.</summary>
    /// <returns>The live phase list.</returns>
    private List<HashSet<string>> EnsurePhases() =>
        _phases ??= [new HashSet<string>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal)];

    /// <summary>The phase list with every non-empty phase set this job's own (a copy's are shared until then).</summary>
    /// <returns>The live phase list.</returns>
    private List<HashSet<string>> UnsharePhases()
    {
        var phases = EnsurePhases();
        if (_sharedPhases)
        {
            for (int i = 0; i < phases.Count; i++)
            {
                if (phases[i].Count > 0)
                {
                    phases[i] = new HashSet<string>(phases[i], StringComparer.Ordinal);
                }
            }

            _sharedPhases = false;
        }

        return phases;
    }

    /// <summary>The phase list with no shared empty set left in it, for the public live views.</summary>
    /// <returns>The live phase list.</returns>
    private List<HashSet<string>> OwnedPhases()
    {
        var phases = UnsharePhases();
        for (int i = 0; i < phases.Count; i++)
        {
            if (ReferenceEquals(phases[i], NoSuccessors))
            {
                phases[i] = new HashSet<string>(StringComparer.Ordinal);
            }
        }

        return phases;
    }

    /// <summary>The job's own phase <paramref name="fromEnd"/> from the end (1: children, 2: follow-ons), made its own to change.</summary>
    /// <param name="fromEnd">1 or 2.</param>
    /// <returns>The phase.</returns>
    private HashSet<string> OwnedPhase(int fromEnd)
    {
        var phases = UnsharePhases();
        int i = phases.Count - fromEnd;
        if (ReferenceEquals(phases[i], NoSuccessors))
        {
            phases[i] = new HashSet<string>(StringComparer.Ordinal);
        }

        return phases[i];
    }

    /// <summary>The text of <see cref="ToString"/> and the fields it was made from, replaced as one object.</summary>
    private sealed record TextCache(string JobName, string UnitName, string JobStoreId, long Version, string Text);

    private WorkflowConfig RequireConfig() =>
        _config ?? throw new InvalidOperationException($"Job {this} has no workflow configuration attached; load it through a job store or call AssignConfig.");
}
