using Toil.Runtime.JobStores;

namespace Toil.Runtime.Leader.BatchSystems;

/// <summary>One worker attempt the leader asks a batch system to run (Toil's <c>issueBatchJob</c> arguments).</summary>
public sealed record BatchJobRequest
{
    /// <summary>Gets the ID of the job the worker runs (the issued ID; chained jobs run under it).</summary>
    public required string JobStoreId { get; init; }

    /// <summary>Gets the job's name (its registered type name), for the command line and logs.</summary>
    public required string JobName { get; init; }

    /// <summary>Gets the job's display name, for logs and scheduler job names.</summary>
    public string DisplayName { get; init; } = string.Empty;

    /// <summary>Gets what the attempt needs.</summary>
    public required JobResources Resources { get; init; }

    /// <summary>
    /// Gets the job store. A batch system that runs workers in this process uses the instance itself (an in-memory store
    /// has no other form); one that starts processes elsewhere passes <see cref="IJobStore.Locator"/>.
    /// </summary>
    public required IJobStore JobStore { get; init; }

    /// <summary>
    /// Gets the environment variables the worker must see, beyond the batch system's own: the leader's
    /// <c>LeaderOptions.WorkerEnvironment</c>, <c>OMP_NUM_THREADS</c> and the real-time logging address and level.
    /// A process batch system sets them on the worker process; an in-process one cannot change the process environment,
    /// so workers there read real-time logging settings from the leader's services instead.
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets whether the job asked to run on the leader's node (Toil's <c>local</c>).</summary>
    public bool Local { get; init; }

    /// <summary>
    /// Gets the worker's positional arguments, <c>JOBNAME JOBSTORELOCATOR JOBSTOREID</c>, which follow the worker
    /// program (<c>toil worker</c>, or a host's own executable through <c>ToilWorkerEntryPoint</c>) on its command line.
    /// </summary>
    public IReadOnlyList<string> WorkerArguments => [JobName, JobStore.Locator, JobStoreId];
}
