namespace Toil.Runtime.Cli.Store;

/// <summary>An operator command cannot do its work on the store it was given; the message is for the operator.</summary>
internal sealed class StoreCommandException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="exitCode">The process exit code (<see cref="StoreExitCodes"/>).</param>
    /// <param name="message">What is wrong, for the operator.</param>
    /// <param name="inner">The cause, if any.</param>
    public StoreCommandException(int exitCode, string message, Exception? inner = null)
        : base(message, inner) => ExitCode = exitCode;

    /// <summary>The process exit code.</summary>
    public int ExitCode { get; }
}
