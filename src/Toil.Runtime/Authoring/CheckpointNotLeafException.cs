namespace Toil.Runtime.Authoring;

/// <summary>A new checkpoint job has successors; a checkpoint must be a leaf when it is created (as in Toil; docs/authoring.md, "Saving the graph").</summary>
public sealed class CheckpointNotLeafException : JobGraphException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="job">The checkpoint job.</param>
    public CheckpointNotLeafException(string job)
        : base($"New checkpoint job {job} has children or follow-ons; a checkpoint job must be a leaf when it is created (its own body adds its successors).")
    {
        Job = job;
    }

    /// <summary>Gets the checkpoint job.</summary>
    public string Job { get; }
}
