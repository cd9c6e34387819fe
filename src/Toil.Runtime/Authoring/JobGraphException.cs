namespace Toil.Runtime.Authoring;

/// <summary>
/// The job graph a body built cannot be saved (Toil's <c>JobGraphDeadlockException</c> and relatives). The job fails
/// and nothing of the new graph is created. Derived types name the specific problem.
/// </summary>
public class JobGraphException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong with the graph.</param>
    public JobGraphException(string message)
        : base(message)
    {
    }
}
