namespace Toil.Runtime.Authoring;

/// <summary>
/// Thrown by job code to fail the attempt with a specific worker exit code (Toil: <c>sys.exit(N)</c> in a job). The
/// attempt counts as failed like any other exception; only the exit code differs.
/// </summary>
public sealed class JobExitException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="exitCode">The exit code the worker returns; must not be 0.</param>
    /// <param name="message">Why the job exits.</param>
    public JobExitException(int exitCode, string? message = null)
        : base(message ?? $"The job asked the worker to exit with code {exitCode}.")
    {
        ArgumentOutOfRangeException.ThrowIfZero(exitCode);
        ExitCode = exitCode;
    }

    /// <summary>The exit code the worker returns.</summary>
    public int ExitCode { get; }
}
