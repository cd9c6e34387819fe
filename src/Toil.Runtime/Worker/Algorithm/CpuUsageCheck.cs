using System.Globalization;

namespace Toil.Runtime.Worker;

/// <summary>
/// Toil's CPU-use warning (docs/worker-algorithm.md §3 step 5; Toil's test_cpu_usage): a job that used more than 5 % over its requested
/// cores × wall time gets one warning to the leader. In-process the CPU time is the whole process's, so concurrent runs
/// can trigger it for each other.
/// </summary>
/// <remarks>
/// Unlike Toil, the excess must also be at least <see cref="MinimumExcessSeconds"/> of CPU: the process's CPU time counts
/// every thread (garbage collection, the JIT, background commits), which for a job of a few milliseconds is more than
/// the job itself, so without a floor nearly every short job was warned about.
/// </remarks>
internal static class CpuUsageCheck
{
    private const double Tolerance = 1.05;

    /// <summary>The smallest excess CPU time, in seconds, worth a warning.</summary>
    internal const double MinimumExcessSeconds = 0.05;

    /// <summary>The warning text, or <see langword="null"/> when there is nothing to say.</summary>
    /// <param name="job">The job (its text is part of the message; formatted only when there is a warning).</param>
    /// <param name="wallSeconds">The body's wall-clock time.</param>
    /// <param name="cpuSeconds">The CPU time used meanwhile.</param>
    /// <param name="cores">The requested cores.</param>
    /// <param name="invalidCores">Set when the requested cores are not positive (Toil logs that instead of warning).</param>
    public static string? Evaluate(object job, double wallSeconds, double cpuSeconds, double cores, out bool invalidCores)
    {
        invalidCores = false;
        if (wallSeconds <= 0)
        {
            return null;
        }

        if (cores <= 0)
        {
            invalidCores = true;
            return null;
        }

        if (cpuSeconds <= wallSeconds * cores * Tolerance || cpuSeconds - (wallSeconds * cores) < MinimumExcessSeconds)
        {
            return null;
        }

        double percent = (cpuSeconds / (wallSeconds * cores) - 1) * 100;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"Job {job} used {percent:F2}% more CPU than the requested {cores} cores. Consider increasing the job's required CPU cores or limiting the number of processes/threads launched.");
    }
}
