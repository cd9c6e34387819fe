namespace Toil.Runtime.Authoring;

/// <summary>
/// The new job graph has a cycle, counting the implied edges from every job under a job's children to each of its
/// follow-ons (a follow-on runs after its parent's whole child subtree).
/// </summary>
public sealed class JobGraphCycleException : JobGraphException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="cycle">The jobs on the cycle, in edge order (the first is repeated at the end).</param>
    public JobGraphCycleException(IReadOnlyList<string> cycle)
        : base($"The job graph has a cycle (implied follow-on edges included): {string.Join(" -> ", cycle ?? [])}.")
    {
        Cycle = cycle ?? [];
    }

    /// <summary>Gets the jobs on the cycle, in edge order.</summary>
    public IReadOnlyList<string> Cycle { get; }
}
