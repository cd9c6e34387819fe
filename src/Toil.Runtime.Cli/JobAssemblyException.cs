namespace Toil.Runtime.Cli;

/// <summary>A job assembly named in the workflow configuration cannot be used.</summary>
internal sealed class JobAssemblyException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The assembly path.</param>
    /// <param name="reason">Why it cannot be used.</param>
    /// <param name="inner">The cause, if any.</param>
    public JobAssemblyException(string path, string reason, Exception? inner = null)
        : base($"The job assembly '{path}' cannot be used: {reason}.", inner) => AssemblyPath = path;

    /// <summary>The assembly path.</summary>
    public string AssemblyPath { get; }
}
