using System.ComponentModel.DataAnnotations;
using Toil.Runtime.Deferred;
using Toil.Runtime.Jobs;

namespace Toil.Runtime.Leader.BatchSystems;

/// <summary>Options of a <see cref="LocalProcessBatchSystem"/>. See <c>docs/batch-systems.md</c>.</summary>
public sealed class LocalProcessBatchSystemOptions : IValidatableObject
{
    /// <summary>
    /// Gets or sets the worker program and its leading arguments; each attempt runs it with the request's
    /// <see cref="BatchJobRequest.WorkerArguments"/> (<c>JOBNAME JOBSTORELOCATOR JOBSTOREID</c>) appended. Use
    /// <c>["toil", "worker"]</c> for the <c>toil worker</c> tool (job types from the workflow's job assemblies), or
    /// <c>[Environment.ProcessPath, "worker"]</c> when the host application is its own worker program through
    /// <c>ToilWorkerEntryPoint</c> (NativeAOT hosts included). A program without a directory is looked up on <c>PATH</c>.
    /// </summary>
    /// <value>The default value is <c>["toil", "worker"]</c>. It must name a program.</value>
    public IList<string> WorkerCommand { get; set; } = ["toil", "worker"];

    /// <summary>Gets or sets the cores the attempts may use together.</summary>
    /// <value>The default value is <see langword="null"/>: the machine's processor count (<see cref="Environment.ProcessorCount"/>).</value>
    public double? Cores { get; set; }

    /// <summary>Gets or sets the memory the attempts may use together.</summary>
    /// <value>The default value is <see langword="null"/>: the memory available to this process (its cgroup limit or the machine's).</value>
    public DataSize? Memory { get; set; }

    /// <summary>Gets or sets the local disk the attempts may use together.</summary>
    /// <value>The default value is <see langword="null"/>: the free space of <see cref="WorkDirectory"/>'s file system when the batch system starts.</value>
    public DataSize? Disk { get; set; }

    /// <summary>Gets or sets the accelerators of the machine (each entry a kind, optionally model, brand and API, with a count).</summary>
    /// <value>The default value is empty: jobs that need accelerators can never run here.</value>
    public IList<AcceleratorRequirement> Accelerators { get; set; } = [];

    /// <summary>
    /// Gets or sets the directory workers work in (their <c>TOIL_WORKDIR</c>), under which the batch system also keeps
    /// each attempt's standard output and error.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the system's temporary directory.</value>
    public string? WorkDirectory { get; set; }

    /// <summary>
    /// Gets or sets the node-local directory under which workers keep their coordination state (deferred functions);
    /// each workflow gets its own subdirectory, given to its workers as <c>TOIL_COORDINATION_DIR</c>. A leader restarted
    /// after a crash must use the same directory to run what the crashed run's killed workers left behind.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: <c>toil-coordination</c> under <see cref="WorkDirectory"/>.</value>
    public string? CoordinationDirectory { get; set; }

    /// <summary>
    /// Gets or sets the deferred functions the workers register, which <see cref="LocalProcessBatchSystem.ShutdownAsync"/>
    /// runs for workers that died before they could (Toil's <c>workerCleanup</c>).
    /// </summary>
    /// <value>The default value is <see langword="null"/>: orphaned functions are left for the next worker of the workflow on this machine.</value>
    public DeferredFunctionRegistry? DeferredFunctions { get; set; }

    /// <summary>Gets or sets how long a killed worker has after SIGTERM before it gets SIGKILL.</summary>
    /// <value>The default value is 10 seconds. It must be zero (SIGKILL at once) or positive, and at most one hour.</value>
    public TimeSpan KillGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets how long a kill waits for the process to be gone after SIGKILL before it gives up with an error.</summary>
    /// <value>The default value is 30 seconds. It must be positive and at most one hour.</value>
    public TimeSpan KillTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets how many bytes of the end of a failed attempt's kept standard output and error (what the worker wrote
    /// before or outside its log capture) are put in the attempt's <see cref="BatchJobUpdate.Detail"/>, which the leader
    /// logs; 0 for none.
    /// </summary>
    /// <value>The default value is 16384. It must be zero or positive.</value>
    [Range(0, int.MaxValue)]
    public int OutputTailBytes { get; set; } = 16384;

    /// <summary>
    /// Gets or sets how many warm serving worker processes (<see cref="WorkerCommand"/> with <c>--serve</c> appended) the
    /// batch system keeps: each takes attempts one after another, every job still in its own directories, liveness lock
    /// and log capture, so that a JIT worker program pays its start-up once instead of once per job. A process that
    /// crashes, is killed or outlives a walltime leaves the pool and its attempt is reported as it ended; the next attempt
    /// starts a replacement. While all are busy an attempt gets a process of its own, as with 0. Opt-in: jobs of a
    /// workflow then share a process's loaded assemblies and static state (docs/batch-systems.md#warm-worker-pool).
    /// </summary>
    /// <value>The default value is 0: every attempt is a worker process of its own. It must be between 0 and 1024.</value>
    [Range(0, 1024)]
    public int WarmWorkers { get; set; }

    /// <summary>Gets or sets the clock for run times and the kill's grace period.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    [Required(ErrorMessage = "{0} is required")]
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Checks what the attributes cannot: the worker command, the optional sizes, the accelerators and the time spans.</summary>
    /// <param name="validationContext">The context (unused).</param>
    /// <returns>One result per problem; none when the options are valid.</returns>
    /// <remarks>The generated <c>LocalProcessBatchSystemOptionsValidator</c> runs it after the attributes' checks.</remarks>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (WorkerCommand is null || WorkerCommand.Count == 0 || string.IsNullOrWhiteSpace(WorkerCommand[0]))
        {
            yield return new($"{nameof(WorkerCommand)} must name a program");
        }

        if (Cores is { } c && !(c > 0 && double.IsFinite(c)))
        {
            yield return new($"{nameof(Cores)} must be positive (was {c})");
        }

        if (Memory is { Bytes: <= 0 } m)
        {
            yield return new($"{nameof(Memory)} must be positive (was {m.Bytes} bytes)");
        }

        if (Disk is { Bytes: <= 0 } d)
        {
            yield return new($"{nameof(Disk)} must be positive (was {d.Bytes} bytes)");
        }

        if (Accelerators is null || Accelerators.Any(a => a is null || a.Count < 1))
        {
            yield return new($"{nameof(Accelerators)} must be a list of accelerators with positive counts");
        }

        if (KillGracePeriod < TimeSpan.Zero || KillGracePeriod > TimeSpan.FromHours(1))
        {
            yield return new($"{nameof(KillGracePeriod)} must be zero or positive and at most one hour (was {KillGracePeriod})");
        }

        if (KillTimeout <= TimeSpan.Zero || KillTimeout > TimeSpan.FromHours(1))
        {
            yield return new($"{nameof(KillTimeout)} must be positive and at most one hour (was {KillTimeout})");
        }
    }

    /// <summary>Throws when the options are invalid, by the same rules as <see cref="LocalProcessBatchSystemOptionsValidator"/> (for code given the options outside a host).</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names each.</exception>
    internal void Validate()
    {
        var validation = new LocalProcessBatchSystemOptionsValidator().Validate(Microsoft.Extensions.Options.Options.DefaultName, this);
        if (validation.Failed)
        {
            throw new ArgumentException("invalid local-process batch system options: " + validation.FailureMessage, "options");
        }
    }
}
