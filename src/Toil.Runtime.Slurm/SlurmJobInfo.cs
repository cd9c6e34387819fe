namespace Toil.Runtime.Slurm;

/// <summary>One job as a Slurm command reports it (a line of <c>squeue</c>, <c>scontrol show job -o</c> or <c>sacct</c>).</summary>
/// <param name="SlurmJobId">Slurm's job ID.</param>
/// <param name="State">The job's state (<c>PENDING</c>, <c>RUNNING</c>, <c>COMPLETED</c>, ...), without a <c>CANCELLED by 0</c> suffix.</param>
/// <param name="Reason">Slurm's reason (<c>NonZeroExitCode</c>, <c>TimeLimit</c>, ...), or empty.</param>
/// <param name="ExitCode">The batch script's exit code, when the command reports it.</param>
/// <param name="Signal">The signal that ended the batch script, or 0, when the command reports it.</param>
internal sealed record SlurmJobInfo(long SlurmJobId, string State, string Reason, int? ExitCode = null, int? Signal = null)
{
    /// <summary>Gets how long the job has run, when the command reports it.</summary>
    public TimeSpan? RunTime { get; init; }

    /// <summary>Gets whether Slurm is done with the job (no state after this one).</summary>
    public bool IsTerminal => SlurmStates.IsTerminal(State);
}
