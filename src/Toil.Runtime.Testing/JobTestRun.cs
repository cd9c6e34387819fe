using Toil.Runtime.Deferred;
using Toil.Runtime.FileStores;

namespace Toil.Runtime.Testing;

/// <summary>What one job did when <see cref="JobTestHarness"/> ran it.</summary>
public class JobTestRun
{
    internal JobTestRun(JobTestRun other)
    {
        ArgumentNullException.ThrowIfNull(other);
        JobStoreId = other.JobStoreId;
        TypeName = other.TypeName;
        Children = other.Children;
        FollowOns = other.FollowOns;
        JobsCreated = other.JobsCreated;
        FilesWritten = other.FilesWritten;
        LeaderMessages = other.LeaderMessages;
        DeferredCalls = other.DeferredCalls;
        DeferredRun = other.DeferredRun;
        Logs = other.Logs;
    }

    internal JobTestRun(
        string jobStoreId,
        string typeName,
        IReadOnlyList<CreatedJob> children,
        IReadOnlyList<CreatedJob> followOns,
        int jobsCreated,
        IReadOnlyList<string> filesWritten,
        IReadOnlyList<LeaderMessage> leaderMessages,
        IReadOnlyList<RecordedDeferredCall> deferredCalls,
        DeferredFunctionRunResult deferredRun,
        IReadOnlyList<JobTestLogEntry> logs)
    {
        JobStoreId = jobStoreId;
        TypeName = typeName;
        Children = children;
        FollowOns = followOns;
        JobsCreated = jobsCreated;
        FilesWritten = filesWritten;
        LeaderMessages = leaderMessages;
        DeferredCalls = deferredCalls;
        DeferredRun = deferredRun;
        Logs = logs;
    }

    /// <summary>Gets the ID of the job that ran.</summary>
    public string JobStoreId { get; }

    /// <summary>Gets the registered type name of the job that ran.</summary>
    public string TypeName { get; }

    /// <summary>Gets the children the job added to itself (checkpoint children included), in no defined order.</summary>
    public IReadOnlyList<CreatedJob> Children { get; }

    /// <summary>Gets the follow-ons the job added to itself, in no defined order.</summary>
    public IReadOnlyList<CreatedJob> FollowOns { get; }

    /// <summary>Gets how many jobs the body created in all (also those it linked under its new jobs).</summary>
    public int JobsCreated { get; }

    /// <summary>
    /// Gets the IDs of the job-store files the job wrote through its file store (<c>WriteGlobalFileAsync</c>,
    /// <c>WriteGlobalFileStreamAsync</c>), in order; read one with <see cref="JobTestHarness.ReadFileTextAsync"/>.
    /// </summary>
    public IReadOnlyList<string> FilesWritten { get; }

    /// <summary>Gets the messages the job sent to the leader (<c>JobContext.LogToLeader</c>), in order.</summary>
    public IReadOnlyList<LeaderMessage> LeaderMessages { get; }

    /// <summary>Gets the deferred functions the job registered, in order.</summary>
    public IReadOnlyList<RecordedDeferredCall> DeferredCalls { get; }

    /// <summary>Gets what happened when the deferred functions ran at the end of the job, as a worker runs them.</summary>
    public DeferredFunctionRunResult DeferredRun { get; }

    /// <summary>Gets what the job wrote to its worker log through <c>JobContext.Logger</c>.</summary>
    public IReadOnlyList<JobTestLogEntry> Logs { get; }
}
