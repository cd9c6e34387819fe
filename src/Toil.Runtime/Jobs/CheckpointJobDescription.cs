namespace Toil.Runtime.Jobs;

/// <summary>
/// A checkpoint job's description: when its subtree fails, the checkpoint reruns from the snapshot of its body
/// instead of failing the workflow (Toil's <c>CheckpointJobDescription</c>).
/// </summary>
public sealed class CheckpointJobDescription : JobDescription
{
    private List<string>? _checkpointFilesToDelete;

    /// <summary>Creates a checkpoint description with a new temporary ID and no body.</summary>
    /// <param name="jobName">The job name.</param>
    /// <param name="requirements">Explicit requirements.</param>
    /// <param name="unitName">The unit name.</param>
    /// <param name="displayName">The display name.</param>
    /// <param name="local">Whether the job may run on the leader.</param>
    public CheckpointJobDescription(string jobName, JobRequirements? requirements = null, string? unitName = null, string? displayName = null, bool local = false)
        : base(jobName, requirements, unitName, displayName, local)
    {
    }

    internal CheckpointJobDescription(string jobName, string jobStoreId)
        : base(jobName, jobStoreId)
    {
    }

    /// <summary>The snapshot of the body taken when the body first ran, or <see langword="null"/> before that.</summary>
    public JobBody? Checkpoint { get; set; }

    /// <summary>Promise files whose deletion waits until the checkpoint's subtree is done.</summary>
    public List<string> CheckpointFilesToDelete => _checkpointFilesToDelete ??= [];

    /// <summary><see cref="CheckpointFilesToDelete"/> if it was ever made, else <see langword="null"/>. Read only.</summary>
    internal List<string>? CheckpointFilesToDeleteOrNull => _checkpointFilesToDelete;

    /// <summary>Snapshots the body into <see cref="Checkpoint"/>.</summary>
    /// <exception cref="InvalidOperationException">There is no body.</exception>
    public void SetCheckpoint() => Checkpoint = GetBody();

    /// <summary>Restores the body from <see cref="Checkpoint"/>.</summary>
    /// <exception cref="InvalidOperationException">No snapshot was taken.</exception>
    internal void RestoreCheckpoint() => AttachBody(Checkpoint ?? throw new InvalidOperationException($"Checkpoint job {this} has no snapshot to restore."));

    /// <inheritdoc />
    protected override JobDescription CreateEmptyCopy() => new CheckpointJobDescription(JobName);

    /// <inheritdoc />
    protected override void CopyFrom(JobDescription source)
    {
        base.CopyFrom(source);
        if (source is CheckpointJobDescription c)
        {
            Checkpoint = c.Checkpoint;
            // Made on first use, like the base class's collections (docs/decisions.md#job-model).
            if (c._checkpointFilesToDelete is { Count: > 0 } files)
            {
                CheckpointFilesToDelete.Clear();
                CheckpointFilesToDelete.AddRange(files);
            }
            else
            {
                _checkpointFilesToDelete?.Clear();
            }
        }
    }
}
