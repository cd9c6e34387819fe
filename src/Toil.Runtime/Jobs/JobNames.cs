namespace Toil.Runtime.Jobs;

/// <summary>The names of one job, as recorded in a chain (Toil's <c>Names</c> tuple).</summary>
/// <param name="JobName">The job name.</param>
/// <param name="UnitName">The unit name.</param>
/// <param name="DisplayName">The display name.</param>
/// <param name="StatsName">The name used in statistics (the display name).</param>
/// <param name="JobStoreId">The job's original job-store ID.</param>
public sealed record JobNames(string JobName, string UnitName, string DisplayName, string StatsName, string JobStoreId);
