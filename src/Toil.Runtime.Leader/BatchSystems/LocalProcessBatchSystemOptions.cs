namespace Toil.Runtime.Leader.BatchSystems;

/// <summary>The worker program and the slots of the <see cref="LocalProcessBatchSystem"/>.</summary>
public sealed class LocalProcessBatchSystemOptions
{
    /// <summary>
    /// Gets or sets the worker program: the path of <c>toil</c> (or <c>dotnet</c>), or a host's own executable whose
    /// entry point hands the worker arguments to <c>ToilWorkerEntryPoint.RunAsync</c>. Required.
    /// <value>The default value is <see langword="null"/>.</value>
    /// </summary>
    public string? WorkerProgram { get; set; }

    /// <summary>
    /// Gets the arguments put before the worker's <c>JOBNAME JOBSTORELOCATOR JOBSTOREID</c>: <c>worker</c> for
    /// <c>toil</c>; <c>toil.dll worker</c> with <c>dotnet</c>; whatever sub-command a host's executable expects.
    /// <value>The default value is empty.</value>
    /// </summary>
    public IList<string> WorkerProgramArguments { get; } = [];

    /// <summary>
    /// Gets or sets the cores shared by running jobs.
    /// <value>The default value is <see cref="Environment.ProcessorCount"/>.</value>
    /// </summary>
    public double MaxCores { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Gets or sets the bytes of memory shared by running jobs; <see langword="null"/> for what the GC sees as available.
    /// <value>The default value is <see langword="null"/>.</value>
    /// </summary>
    public long? MaxMemory { get; set; }

    /// <summary>
    /// Gets or sets the bytes of disk shared by running jobs; <see langword="null"/> for the free space of the temporary directory's volume.
    /// <value>The default value is <see langword="null"/>.</value>
    /// </summary>
    public long? MaxDisk { get; set; }

    /// <summary>
    /// Gets or sets the accelerators shared by running jobs.
    /// <value>The default value is 0.</value>
    /// </summary>
    public int MaxAccelerators { get; set; }

    /// <summary>
    /// Gets or sets how long a worker has between SIGTERM and SIGKILL when it is killed.
    /// <value>The default value is 10 seconds.</value>
    /// </summary>
    public TimeSpan KillGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets or sets how many bytes of a worker's own standard output and error (what it wrote before or outside its
    /// log capture) are kept, the last ones, and shown for a failed attempt.
    /// <value>The default value is 16384.</value>
    /// </summary>
    public int OutputTailBytes { get; set; } = 16384;
}
