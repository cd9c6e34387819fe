using Microsoft.Extensions.Logging;
using Toil.Runtime.Deferred;
using Toil.Runtime.FileStores;
using Toil.Runtime.JobStores;
using Toil.Runtime.Jobs;
using Toil.Runtime.Logging;

namespace Toil.Runtime.Authoring;

/// <summary>Everything one run of a job's body gets from the worker.</summary>
public sealed class JobInvocation
{
    /// <summary>The live description of the running job (body attached); successors are added to it in memory.</summary>
    public required JobDescription Job { get; init; }

    /// <summary>The job store the job lives in.</summary>
    public required IJobStore JobStore { get; init; }

    /// <summary>The job's file store (one per attempt).</summary>
    public required IFileStore FileStore { get; init; }

    /// <summary>Where the job registers deferred functions.</summary>
    public required IDeferredFunctionScope Deferred { get; init; }

    /// <summary>The logger that writes into the worker log.</summary>
    public required ILogger Logger { get; init; }

    /// <summary>
    /// The real-time logger (<c>toil-rt</c>) of the run: records at or above the leader's level go to the leader and into
    /// the worker log. <see langword="null"/> means the job context falls back to the one registered in
    /// <see cref="Services"/>, else to one that passes critical records only and sends nothing (no leader asked).
    /// </summary>
    public RealtimeLogger? RealtimeLogger { get; init; }

    /// <summary>
    /// The environment the leader asked for (docs/decisions.md#environment): applied to child processes started through the job context;
    /// applied to the process itself only in process mode, by the worker.
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;

    /// <summary>
    /// Receives the output (stdout and stderr, line by line) of child processes started through the job context, so it
    /// lands in the worker log in-process (docs/decisions.md#log-capture). <see langword="null"/> means children inherit the process's
    /// descriptors (process mode, where descriptors 1 and 2 already point at the worker log).
    /// </summary>
    public TextWriter? ChildOutput { get; init; }

    /// <summary>The service provider job types are resolved from.</summary>
    public required IServiceProvider Services { get; init; }
}
