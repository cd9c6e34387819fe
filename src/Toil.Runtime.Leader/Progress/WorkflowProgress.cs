using System.Runtime.InteropServices;

namespace Toil.Runtime.Leader.Progress;

/// <summary>
/// One progress event of a run: what happened to which job, and the run's counts right after. A value type that holds
/// references the leader already has, so publishing one allocates nothing. See <c>docs/progress.md</c>.
/// </summary>
/// <param name="Kind">What happened.</param>
/// <param name="JobStoreId">The job's ID; empty when unknown (a chained job reported by an older worker).</param>
/// <param name="JobName">The job's name (its registered type name); user text, escape it before display.</param>
/// <param name="DisplayName">The job's display name; user text, escape it before display.</param>
/// <param name="Time">When the leader saw it.</param>
/// <param name="Counts">The run's counts after it.</param>
[StructLayout(LayoutKind.Auto)]
public readonly record struct WorkflowProgress(
    WorkflowProgressKind Kind,
    string JobStoreId,
    string JobName,
    string DisplayName,
    DateTimeOffset Time,
    WorkflowCounts Counts);
