using System.ComponentModel.DataAnnotations;
namespace Toil.Runtime.Slurm;

/// <summary>Options of a <see cref="SlurmBatchSystem"/>. See <c>docs/slurm.md</c>.</summary>
public sealed class SlurmBatchSystemOptions : IValidatableObject
{
    /// <summary>
    /// Gets or sets the worker program and its leading arguments; each attempt runs it on a node with the request's
    /// <c>WorkerArguments</c> (<c>JOBNAME JOBSTORELOCATOR JOBSTOREID</c>) appended. Use <c>["toil", "worker"]</c> for the
    /// <c>toil worker</c> tool, or the host's own executable when it is its own worker program through
    /// <c>ToilWorkerEntryPoint</c>. The program must exist at this path (or on <c>PATH</c>) on every node.
    /// </summary>
    /// <value>The default value is <c>["toil", "worker"]</c>. It must name a program.</value>
    public IList<string> WorkerCommand { get; set; } = ["toil", "worker"];

    /// <summary>Gets or sets the directory of Slurm's commands (<c>sbatch</c>, <c>squeue</c>, ...).</summary>
    /// <value>The default value is <see langword="null"/>: they are looked up on <c>PATH</c>.</value>
    public string? SlurmBinDirectory { get; set; }

    /// <summary>
    /// Gets or sets the directory for each attempt's Slurm output and error files, batch script and environment file.
    /// It must be on a file system the nodes share. A failed attempt's files are kept (the leader shows them); a finished
    /// attempt's are removed.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: <c>toil-slurm-logs</c> in the current directory.</value>
    public string? WorkerLogDirectory { get; set; }

    /// <summary>Gets or sets the partition to submit to (<c>--partition</c>).</summary>
    /// <value>The default value is <see langword="null"/>: the cluster's default partition.</value>
    public string? Partition { get; set; }

    /// <summary>Gets or sets the account to charge (<c>--account</c>).</summary>
    /// <value>The default value is <see langword="null"/>: the user's default account.</value>
    public string? Account { get; set; }

    /// <summary>Gets or sets the quality of service (<c>--qos</c>).</summary>
    /// <value>The default value is <see langword="null"/>: the cluster's default.</value>
    public string? Qos { get; set; }

    /// <summary>Gets or sets further <c>sbatch</c> arguments, added before the batch script (for example <c>--constraint=avx2</c>).</summary>
    /// <value>The default value is empty.</value>
    [Required(ErrorMessage = "{0} must not be null")]
    public IList<string> ExtraSbatchArguments { get; set; } = [];

    /// <summary>Gets or sets how often the batch system asks Slurm about its jobs (one <c>squeue</c> for all of them).</summary>
    /// <value>The default value is 1 second. It must be positive and at most 10 minutes.</value>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets how long one Slurm command may run before it is killed and counted as a transient failure.</summary>
    /// <value>The default value is 30 seconds. It must be positive and at most 10 minutes.</value>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets how many times a Slurm command that failed transiently (timed out, controller unreachable or busy)
    /// is retried, with exponential back-off, before <see cref="SlurmCommandException"/> is thrown.
    /// </summary>
    /// <value>The default value is 5. It must be between 0 and 20.</value>
    [Range(0, 20)]
    public int MaxCommandRetries { get; set; } = 5;

    /// <summary>Gets or sets the first retry's delay; later ones double, up to 30 seconds.</summary>
    /// <value>The default value is 1 second. It must be zero or positive and at most 1 minute.</value>
    public TimeSpan CommandRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets how long a kill waits for Slurm to report the cancelled jobs ended.</summary>
    /// <value>The default value is 60 seconds. It must be positive and at most one hour.</value>
    public TimeSpan KillTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Gets or sets whether the jobs run on other machines than the leader's. When they do, a job store in the leader's
    /// temporary directory is refused (the nodes cannot reach it).
    /// </summary>
    /// <value>The default value is <see langword="null"/>: they do when the cluster has more than one node.</value>
    public bool? NodesAreRemote { get; set; }

    /// <summary>
    /// Gets or sets whether ready jobs with the same cores, memory and GPUs are packed into one Slurm allocation that runs
    /// their workers one after another (each attempt still reported on its own), which spares the scheduler many tiny
    /// jobs. The allocation's time limit is the sum of the walltimes (none when one has none).
    /// </summary>
    /// <value>The default value is <see langword="false"/>: one Slurm job per attempt.</value>
    public bool CoalesceJobs { get; set; }

    /// <summary>Gets or sets the most attempts packed into one allocation when <see cref="CoalesceJobs"/> is on.</summary>
    /// <value>The default value is 20. It must be between 2 and 1000.</value>
    [Range(2, 1000)]
    public int CoalesceMaxJobs { get; set; } = 20;

    /// <summary>Gets or sets how long an attempt waits for companions before its allocation is submitted when <see cref="CoalesceJobs"/> is on.</summary>
    /// <value>The default value is 1 second. It must be positive and at most 1 minute.</value>
    public TimeSpan CoalesceWindow { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the clock for run times, polls and retry delays.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    [Required(ErrorMessage = "{0} must not be null")]
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Checks what the attributes cannot: the worker command and the time spans.</summary>
    /// <param name="validationContext">The context (unused).</param>
    /// <returns>One result per problem; none when the options are valid.</returns>
    /// <remarks>The generated <c>SlurmBatchSystemOptionsValidator</c> runs it after the attributes' checks.</remarks>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (WorkerCommand is null || WorkerCommand.Count == 0 || string.IsNullOrWhiteSpace(WorkerCommand[0]))
        {
            yield return new($"{nameof(WorkerCommand)} must name a program");
        }

        if (PollInterval <= TimeSpan.Zero || PollInterval > TimeSpan.FromMinutes(10))
        {
            yield return new($"{nameof(PollInterval)} must be positive and at most 10 minutes (was {PollInterval})");
        }

        if (CommandTimeout <= TimeSpan.Zero || CommandTimeout > TimeSpan.FromMinutes(10))
        {
            yield return new($"{nameof(CommandTimeout)} must be positive and at most 10 minutes (was {CommandTimeout})");
        }

        if (CommandRetryDelay < TimeSpan.Zero || CommandRetryDelay > TimeSpan.FromMinutes(1))
        {
            yield return new($"{nameof(CommandRetryDelay)} must be zero or positive and at most 1 minute (was {CommandRetryDelay})");
        }

        if (KillTimeout <= TimeSpan.Zero || KillTimeout > TimeSpan.FromHours(1))
        {
            yield return new($"{nameof(KillTimeout)} must be positive and at most one hour (was {KillTimeout})");
        }

        if (CoalesceWindow <= TimeSpan.Zero || CoalesceWindow > TimeSpan.FromMinutes(1))
        {
            yield return new($"{nameof(CoalesceWindow)} must be positive and at most 1 minute (was {CoalesceWindow})");
        }
    }

    /// <summary>Throws when the options are invalid, by the same rules as <see cref="SlurmBatchSystemOptionsValidator"/> (for code given the options outside a host).</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names each.</exception>
    internal void Validate()
    {
        var validation = new SlurmBatchSystemOptionsValidator().Validate(Microsoft.Extensions.Options.Options.DefaultName, this);
        if (validation.Failed)
        {
            throw new ArgumentException("Invalid Slurm batch system options: " + validation.FailureMessage, "options");
        }
    }
}
