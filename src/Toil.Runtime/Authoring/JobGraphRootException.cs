namespace Toil.Runtime.Authoring;

/// <summary>The new job graph has more than one root: a created job was never added as a successor of another.</summary>
public sealed class JobGraphRootException : JobGraphException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="roots">The jobs without a predecessor.</param>
    public JobGraphRootException(IReadOnlyList<string> roots)
        : base($"A job graph has exactly one root, but these jobs have no predecessor: {string.Join(", ", roots ?? [])}. Add each created job as a child or follow-on.")
    {
        Roots = roots ?? [];
    }

    /// <summary>Gets the jobs without a predecessor.</summary>
    public IReadOnlyList<string> Roots { get; }
}
