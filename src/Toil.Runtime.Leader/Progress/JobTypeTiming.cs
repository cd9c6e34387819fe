namespace Toil.Runtime.Leader.Progress;

/// <summary>The bodies of one job type the workers ran, added up (the run summary's slowest job types).</summary>
/// <param name="JobName">The job type's name (the job's registered name, or its display name when the worker did not name it). User text.</param>
/// <param name="Count">How many bodies ran.</param>
/// <param name="TotalWallTime">Their wall-clock time, added up.</param>
/// <param name="MaxWallTime">The longest of them.</param>
/// <param name="TotalCpuTime">Their CPU time, added up.</param>
public sealed record JobTypeTiming(string JobName, int Count, TimeSpan TotalWallTime, TimeSpan MaxWallTime, TimeSpan TotalCpuTime)
{
    /// <summary>Gets the bytes the bodies wrote to the job store through their file stores, added up.</summary>
    public long TotalBytesWritten { get; init; }

    /// <summary>Gets the bytes the bodies read from the job store through their file stores, added up.</summary>
    public long TotalBytesRead { get; init; }
}
