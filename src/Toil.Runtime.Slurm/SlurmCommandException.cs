namespace Toil.Runtime.Slurm;

/// <summary>
/// A Slurm command (<c>sbatch</c>, <c>squeue</c>, <c>scancel</c>, ...) failed for good: it failed permanently, or kept
/// failing transiently after the retries of <see cref="SlurmBatchSystemOptions.MaxCommandRetries"/>.
/// </summary>
public sealed class SlurmCommandException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="SlurmCommandException"/> class.</summary>
    public SlurmCommandException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="SlurmCommandException"/> class with a message.</summary>
    /// <param name="message">What failed.</param>
    public SlurmCommandException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="SlurmCommandException"/> class with a message and a cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public SlurmCommandException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the command line that failed (the program and its arguments), when known.</summary>
    public string? Command { get; init; }

    /// <summary>Gets the command's exit code, or <see langword="null"/> when it timed out or could not start.</summary>
    public int? ExitCode { get; init; }

    /// <summary>Gets what the command wrote to its standard error.</summary>
    public string StandardError { get; init; } = string.Empty;
}
