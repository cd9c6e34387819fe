namespace Toil.Runtime.Leader.Workflows;

/// <summary>Another leader holds the job store's leader lock; two leaders on one store would run jobs twice.</summary>
public sealed class LeaderAlreadyRunningException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LeaderAlreadyRunningException()
        : base("Another leader is running on this job store.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public LeaderAlreadyRunningException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public LeaderAlreadyRunningException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
