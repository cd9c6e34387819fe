using System.Globalization;
using System.Text;
using Toil.Runtime.Logging;

namespace Toil.Runtime.Leader.Progress;

/// <summary>The plain-text rendering of a <see cref="RunSummary"/>; job-chosen text goes through <see cref="TerminalText"/>.</summary>
internal static class RunSummaryText
{
    public static string Render(RunSummary summary)
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.Append(c, $"Run summary: {summary.JobsCompleted} job(s) done and {summary.ChainedJobs} chained, {summary.AttemptsIssued} attempt(s), ")
            .Append(c, $"{summary.Retries} retr{(summary.Retries == 1 ? "y" : "ies")}, {summary.FailedAttempts} failed attempt(s), {summary.Failures.Count} job(s) failed for good\n");
        text.Append(c, $"Time: {Duration(summary.WallTime)} wall, {Duration(summary.CpuTime)} CPU in the leader's process, {Duration(summary.WorkerCpuTime)} CPU reported by workers\n");
        text.Append(c, $"Bytes through the file store: {Bytes(summary.BytesWritten)} written, {Bytes(summary.BytesRead)} read\n");
        if (summary.SlowestJobs.Count > 0)
        {
            text.Append("Slowest jobs:\n");
            foreach (var job in summary.SlowestJobs)
            {
                text.Append(c, $"  {Duration(job.WallTime),9}  {TerminalText.EscapeLine(job.JobName)}  '{TerminalText.EscapeLine(job.DisplayName)}'  {TerminalText.EscapeLine(job.JobStoreId)}\n");
            }
        }

        if (summary.JobTypes.Count > 0)
        {
            text.Append("Job types (count, total wall, longest, total CPU, bytes written, bytes read):\n");
            foreach (var type in summary.JobTypes)
            {
                text.Append(c, $"  {TerminalText.EscapeLine(type.JobName)}: {type.Count}, {Duration(type.TotalWallTime)}, {Duration(type.MaxWallTime)}, {Duration(type.TotalCpuTime)}, {Bytes(type.TotalBytesWritten)}, {Bytes(type.TotalBytesRead)}\n");
            }
        }

        if (summary.Failures.Count > 0)
        {
            text.Append("Failed jobs:\n");
            foreach (var failed in summary.Failures)
            {
                text.Append(c, $"  '{TerminalText.EscapeLine(failed.DisplayName)}' {TerminalText.EscapeLine(failed.JobStoreId)}: {TerminalText.EscapeLine(failed.Reason)} (last exit code {failed.ExitCode}, {failed.ExitReason})\n");
            }
        }

        if (summary.DroppedProgressEvents > 0)
        {
            text.Append(c, $"Progress events dropped (observers fell behind): {summary.DroppedProgressEvents}\n");
        }

        return text.ToString();
    }

    /// <summary>A byte count for people: the exact count below 1 KiB, else binary units with the exact count after them.</summary>
    public static string Bytes(long bytes)
    {
        var c = CultureInfo.InvariantCulture;
        return bytes switch
        {
            < 1024 => string.Create(c, $"{bytes} B"),
            < 1024 * 1024 => string.Create(c, $"{bytes / 1024.0:0.0} KiB ({bytes} B)"),
            < 1024L * 1024 * 1024 => string.Create(c, $"{bytes / (1024.0 * 1024):0.0} MiB ({bytes} B)"),
            _ => string.Create(c, $"{bytes / (1024.0 * 1024 * 1024):0.00} GiB ({bytes} B)"),
        };
    }

    /// <summary>A duration for people: milliseconds below a second, seconds below a minute, then h:mm:ss.</summary>
    public static string Duration(TimeSpan time) => time.TotalSeconds switch
    {
        < 1 => string.Create(CultureInfo.InvariantCulture, $"{time.TotalMilliseconds:0} ms"),
        < 60 => string.Create(CultureInfo.InvariantCulture, $"{time.TotalSeconds:0.00} s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{(long)time.TotalHours}:{time.Minutes:00}:{time.Seconds:00}"),
    };
}
