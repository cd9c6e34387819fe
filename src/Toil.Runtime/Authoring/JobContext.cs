using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Toil.Runtime.Deferred;
using Toil.Runtime.FileStores;
using Toil.Runtime.Jobs;
using Toil.Runtime.Logging;

namespace Toil.Runtime.Authoring;

/// <summary>
/// What a running job touches: its file store, deferred functions, logger, description and requirements, and the job
/// graph it builds (children, follow-ons, checkpoint children). Created by the <see cref="IJobBodyInvoker"/>.
/// </summary>
/// <remarks>
/// Jobs added here are saved when the body returns successfully, before the worker commits the running job; if the body
/// throws, none of them is created.
/// </remarks>
public sealed partial class JobContext
{
    private readonly JobInvocation _invocation;
    private readonly JobGraph _graph;
    private RealtimeLogger? _realtimeLogger;
    private JobRequirements? _requirements;

    internal JobContext(JobInvocation invocation, JobGraph graph, CancellationToken cancellationToken)
    {
        _invocation = invocation;
        _graph = graph;
        CancellationToken = cancellationToken;
    }

    /// <summary>Gets the running job, to link jobs made with <see cref="CreateJob{TJob, TInput}(TInput, JobRequirements?, string?, bool)"/> or to read its successors.</summary>
    public JobHandle Job => _graph.Root;

    /// <summary>Gets the job's file store (global files, local temporary files, messages to the leader).</summary>
    public IFileStore FileStore => _invocation.FileStore;

    /// <summary>Gets the logger that writes into the worker log.</summary>
    public ILogger Logger => _invocation.Logger;

    /// <summary>
    /// Gets the real-time logger (Toil's <c>RealtimeLogger</c>, category <c>toil-rt</c>): records at or above the level
    /// the leader asked for (<c>TOIL_RT_LOGGING_LEVEL</c>) are sent to the leader (<c>TOIL_RT_LOGGING_ADDRESS</c>) and
    /// written to the worker log; below it they go nowhere. Without a leader's level only critical records pass.
    /// </summary>
    public RealtimeLogger RealtimeLogger => _realtimeLogger ??=
        _invocation.RealtimeLogger
        ?? _invocation.Services.GetService<RealtimeLogger>()
        ?? new RealtimeLogger(_invocation.Logger, RealtimeLoggingRequest.Disabled);

    /// <summary>Gets the job's ID in the job store.</summary>
    public string JobStoreId => _invocation.Job.JobStoreId;

    /// <summary>Gets the job's name (its registered type name).</summary>
    public string JobName => _invocation.Job.JobName;

    /// <summary>Gets the job's display name.</summary>
    public string DisplayName => _invocation.Job.DisplayName;

    /// <summary>Gets the job's unit name.</summary>
    public string UnitName => _invocation.Job.UnitName;

    /// <summary>Gets the job's requirements, with workflow defaults filled in when the workflow configuration is known.</summary>
    /// <remarks>Made on first use (most bodies never read it); the running job's requirements do not change while its body runs.</remarks>
    public JobRequirements Requirements => _requirements ??= ResolveRequirements(_invocation.Job);

    /// <summary>Gets the token that cancels the job (also passed to <c>RunAsync</c>).</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>
    /// Gets the environment the leader asked for (docs/decisions.md#environment). It is applied to processes started with
    /// <see cref="RunProcessAsync(System.Diagnostics.ProcessStartInfo, TimeSpan?, CancellationToken)"/>; in process
    /// mode the worker applies it to the process too.
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment => _invocation.Environment;

    /// <summary>Sends a message to the leader's log, and logs it in the worker log.</summary>
    /// <param name="text">The message.</param>
    /// <param name="level">Its level.</param>
    public void LogToLeader(string text, LogLevel level = LogLevel.Information) => FileStore.LogToLeader(text, level);

    /// <summary>
    /// Persists a call of a registered deferred function to run when this job ends, on success or failure, even if the
    /// worker is killed (see <see cref="IDeferredFunctionScope.DeferAsync{TArgs}"/>).
    /// </summary>
    /// <typeparam name="TArgs">The arguments type the function was registered with.</typeparam>
    /// <param name="name">The registered function name.</param>
    /// <param name="arguments">The arguments.</param>
    /// <param name="cancellationToken">Cancels the write; a cancelled call is not persisted.</param>
    /// <returns>A task that completes when the call is durable.</returns>
    public ValueTask DeferAsync<TArgs>(string name, TArgs arguments, CancellationToken cancellationToken = default) =>
        _invocation.Deferred.DeferAsync(name, arguments, cancellationToken);

    private static JobRequirements ResolveRequirements(JobDescription job) =>
        job.Config is null
            ? job.Requirements
            : new JobRequirements
            {
                Memory = job.Memory,
                Cores = job.Cores,
                Disk = job.Disk,
                Accelerators = job.Accelerators,
                Preemptible = job.Preemptible,
                Walltime = job.Walltime,
            };
}
