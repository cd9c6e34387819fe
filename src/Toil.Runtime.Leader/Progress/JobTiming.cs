namespace Toil.Runtime.Leader.Progress;

/// <summary>One job body a worker ran, from the worker's stats: the run summary's slowest jobs and the timeline's chained jobs.</summary>
/// <param name="JobStoreId">The job's ID; empty when the worker did not name it.</param>
/// <param name="JobName">The job's name (its registered type name); empty when the worker did not name it. User text.</param>
/// <param name="DisplayName">The job's display name. User text.</param>
/// <param name="Start">When the body started (the worker's clock).</param>
/// <param name="WallTime">The body's wall-clock time.</param>
/// <param name="CpuTime">The CPU time the worker's process used while the body ran.</param>
/// <param name="Succeeded">Whether the body succeeded.</param>
public sealed record JobTiming(string JobStoreId, string JobName, string DisplayName, DateTimeOffset Start, TimeSpan WallTime, TimeSpan CpuTime, bool Succeeded)
{
    /// <summary>Gets the bytes the job wrote to the job store through its file store (0 when the worker did not count them).</summary>
    public long BytesWritten { get; init; }

    /// <summary>Gets the bytes the job read from the job store through its file store (0 when the worker did not count them).</summary>
    public long BytesRead { get; init; }
}
