namespace Toil.Runtime.Authoring;

/// <summary>A job was added as a successor of the same predecessor twice (Toil's <c>ConflictingPredecessorError</c>).</summary>
public sealed class ConflictingPredecessorException : JobGraphException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="predecessor">The predecessor.</param>
    /// <param name="successor">The successor added twice.</param>
    public ConflictingPredecessorException(string predecessor, string successor)
        : base($"Job {successor} is already a successor of {predecessor}; a job cannot follow the same predecessor twice.")
    {
        Predecessor = predecessor;
        Successor = successor;
    }

    /// <summary>Gets the predecessor.</summary>
    public string Predecessor { get; }

    /// <summary>Gets the successor added twice.</summary>
    public string Successor { get; }
}
