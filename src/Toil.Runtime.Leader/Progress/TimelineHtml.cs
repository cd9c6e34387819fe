using System.Globalization;
using System.Net;
using System.Text;
using Toil.Runtime.IO;
using Toil.Runtime.Logging;

namespace Toil.Runtime.Leader.Progress;

/// <summary>
/// Draws a run's timeline: one self-contained HTML page (no script, font or stylesheet from elsewhere) holding an inline
/// SVG Gantt chart, one row per lane (a worker slot), one bar per attempt, the worker's job bodies (the issued job and
/// the jobs it chained) drawn inside their bar, failed attempts red, retries marked, hover titles with names and times.
/// Every job-chosen text is made one line (<see cref="TerminalText"/>) and HTML-escaped. See <c>docs/progress.md</c>.
/// </summary>
internal static class TimelineHtml
{
    private const double LabelWidth = 110;
    private const double ChartWidth = 1180;
    private const double LaneHeight = 34;
    private const double Top = 34;
    private const double BarInset = 4;

    public static string Render(RunSummary summary, string title)
    {
        var c = CultureInfo.InvariantCulture;
        var attempts = summary.Attempts;
        DateTimeOffset start = attempts.Count == 0 ? default : attempts.Min(a => a.Issued < a.Started ? a.Issued : a.Started);
        DateTimeOffset end = attempts.Count == 0 ? default : attempts.Max(a => a.Ended ?? a.Started);
        foreach (var a in attempts)
        {
            foreach (var job in a.ChainedJobs.Append(a.Body))
            {
                if (job is not null && job.Start != default && job.Start + job.WallTime > end)
                {
                    end = job.Start + job.WallTime;
                }
            }
        }

        double span = Math.Max((end - start).TotalSeconds, 0.001);
        double scale = ChartWidth / span;
        int lanes = attempts.Count == 0 ? 0 : attempts.Max(a => a.Lane) + 1;
        double height = Top + (lanes * LaneHeight) + 46;
        double X(DateTimeOffset t) => LabelWidth + (Math.Clamp((t - start).TotalSeconds, 0, span) * scale);

        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(Escape(title)).Append("</title>\n<style>\n")
            .Append("body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#1f2933;background:#fff}\n")
            .Append("h1{font-size:20px;margin:0 0 6px}p.meta{margin:0 0 14px;color:#52606d;font-size:13px}\n")
            .Append("table{border-collapse:collapse;font-size:13px;margin-top:14px}td,th{padding:3px 10px;border-bottom:1px solid #e4e7eb;text-align:left}\n")
            .Append("td.n{text-align:right;font-variant-numeric:tabular-nums}\n")
            .Append(".legend span{display:inline-block;margin-right:16px;font-size:13px}.legend i{display:inline-block;width:14px;height:10px;margin-right:5px;vertical-align:middle;border-radius:2px}\n")
            .Append("</style>\n</head>\n<body>\n<h1>").Append(Escape(title)).Append("</h1>\n<p class=\"meta\">")
            .Append(c, $"{summary.JobsCompleted} job(s) done, {summary.ChainedJobs} chained, {summary.AttemptsIssued} attempt(s), {summary.Retries} retr{(summary.Retries == 1 ? "y" : "ies")}, {summary.FailedAttempts} failed attempt(s), {summary.Failures.Count} failed for good; ")
            .Append(c, $"wall {RunSummaryText.Duration(summary.WallTime)}, worker CPU {RunSummaryText.Duration(summary.WorkerCpuTime)}; ")
            .Append(c, $"file store {ShortBytes(summary.BytesWritten)} written, {ShortBytes(summary.BytesRead)} read; {lanes} lane(s)")
            .Append(summary.TimelineTruncated ? string.Create(c, $"; only the first {RunSummary.MaxTimelineAttempts} attempts are drawn") : string.Empty)
            .Append("</p>\n<div class=\"legend\"><span><i style=\"background:#4c8bf5\"></i>attempt</span><span><i style=\"background:#1f5fbf\"></i>job body (issued job)</span>")
            .Append("<span><i style=\"background:#f0a030\"></i>chained job</span><span><i style=\"background:#e0524d\"></i>failed attempt</span>")
            .Append("<span><i style=\"background:#fff;border:2px dashed #7a3cc2;width:10px;height:6px\"></i>retry</span></div>\n");

        html.Append(c, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{LabelWidth + ChartWidth + 20:0}\" height=\"{height:0}\" viewBox=\"0 0 {LabelWidth + ChartWidth + 20:0} {height:0}\" font-family=\"system-ui,sans-serif\" font-size=\"11\">\n");
        AppendAxis(html, lanes, span, scale);
        for (int lane = 0; lane < lanes; lane++)
        {
            double y = Top + (lane * LaneHeight);
            html.Append(c, $"<rect x=\"0\" y=\"{y:0.#}\" width=\"{LabelWidth + ChartWidth:0}\" height=\"{LaneHeight:0}\" fill=\"{(lane % 2 == 0 ? "#f5f7fa" : "#ffffff")}\"/>")
                .Append(c, $"<text x=\"8\" y=\"{y + 21:0.#}\" fill=\"#52606d\">worker slot {lane + 1}</text>\n");
        }

        foreach (var a in attempts)
        {
            double y = Top + (a.Lane * LaneHeight) + BarInset;
            double h = LaneHeight - (2 * BarInset);
            double x0 = X(a.Started);
            double x1 = Math.Max(X(a.Ended ?? end), x0 + 2);
            string kind = a.Failed ? "attempt failed" : a.Ended is null ? "attempt killed" : "attempt";
            string fill = a.Failed ? "#e0524d" : a.Ended is null ? "#9aa5b1" : "#4c8bf5";
            html.Append(c, $"<g class=\"{kind}{(a.Retry ? " retry" : string.Empty)}\" data-job=\"{Escape(a.JobStoreId)}\" data-batch-job=\"{a.BatchJobId}\">")
                .Append(c, $"<rect x=\"{x0:0.##}\" y=\"{y:0.##}\" width=\"{x1 - x0:0.##}\" height=\"{h:0.##}\" rx=\"3\" fill=\"{fill}\"")
                .Append(a.Retry ? " stroke=\"#7a3cc2\" stroke-width=\"2\" stroke-dasharray=\"4 2\"" : string.Empty).Append('>')
                .Append("<title>").Append(AttemptTitle(a)).Append("</title></rect>");
            foreach (var (job, chained) in Bodies(a))
            {
                double jx0 = Math.Clamp(X(job.Start), x0, x1);
                double jx1 = Math.Clamp(X(job.Start + job.WallTime), jx0, x1);
                html.Append(c, $"<rect class=\"{(chained ? "chained" : "body")}\" data-job=\"{Escape(job.JobStoreId)}\" x=\"{jx0:0.##}\" y=\"{y + h - 8:0.##}\" width=\"{Math.Max(jx1 - jx0, 1.5):0.##}\" height=\"6\" rx=\"1\" fill=\"{(chained ? "#f0a030" : job.Succeeded ? "#1f5fbf" : "#9b1c1c")}\">")
                    .Append("<title>").Append(JobTitle(job, chained)).Append("</title></rect>");
            }

            string label = (a.Retry ? "\u21bb " : string.Empty) + (a.DisplayName.Length > 0 ? a.DisplayName : a.JobName);
            int fits = (int)((x1 - x0 - 6) / 6.2);
            if (fits >= 3)
            {
                label = label.Length > fits ? label[..(fits - 1)] + "\u2026" : label;
                html.Append(c, $"<text x=\"{x0 + 4:0.##}\" y=\"{y + 12:0.##}\" fill=\"#ffffff\" pointer-events=\"none\">").Append(Escape(label)).Append("</text>");
            }
            else if (a.Retry || a.Failed)
            {
                html.Append(c, $"<text x=\"{x1 + 3:0.##}\" y=\"{y + (h / 2) + 4:0.##}\" fill=\"{(a.Failed ? "#9b1c1c" : "#7a3cc2")}\" pointer-events=\"none\">{(a.Failed ? "\u2717" : "\u21bb")}</text>");
            }

            html.Append("</g>\n");
        }

        html.Append("</svg>\n");
        AppendTables(html, summary);
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    public static async Task WriteAsync(string path, string html, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        await DurableFile.WriteAllBytesAsync(Path.GetFullPath(path), Encoding.UTF8.GetBytes(html), cancellationToken).ConfigureAwait(false);
    }

    private static IEnumerable<(JobTiming Job, bool Chained)> Bodies(JobAttempt attempt)
    {
        if (attempt.Body is { Start.Ticks: > 0 } body)
        {
            yield return (body, false);
        }

        foreach (var job in attempt.ChainedJobs)
        {
            if (job.Start != default)
            {
                yield return (job, true);
            }
        }
    }

    private static void AppendAxis(StringBuilder html, int lanes, double span, double scale)
    {
        var c = CultureInfo.InvariantCulture;
        double[] steps = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400];
        double step = steps.FirstOrDefault(s => span / s <= 12, 86400 * Math.Ceiling(span / 86400 / 12));
        double bottom = Top + (lanes * LaneHeight);
        for (double t = 0; t <= span + (step / 2); t += step)
        {
            double x = LabelWidth + (t * scale);
            html.Append(c, $"<line x1=\"{x:0.##}\" y1=\"{Top - 6:0}\" x2=\"{x:0.##}\" y2=\"{bottom + 4:0}\" stroke=\"#cbd2d9\" stroke-width=\"1\"/>")
                .Append(c, $"<text x=\"{x:0.##}\" y=\"{Top - 10:0}\" text-anchor=\"middle\" fill=\"#52606d\">{AxisLabel(t, step)}</text>\n");
        }

        html.Append(c, $"<text x=\"{LabelWidth:0}\" y=\"{bottom + 22:0}\" fill=\"#52606d\">time since the first attempt was issued; hover a bar for its job, type and times</text>\n");
    }

    private static string AxisLabel(double seconds, double step) => step switch
    {
        < 1 => string.Create(CultureInfo.InvariantCulture, $"{seconds * 1000:0} ms"),
        < 60 => string.Create(CultureInfo.InvariantCulture, $"{seconds:0.#} s"),
        < 3600 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 60:0.#} min"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:0.#} h"),
    };

    private static void AppendTables(StringBuilder html, RunSummary summary)
    {
        var c = CultureInfo.InvariantCulture;
        if (summary.Failures.Count > 0)
        {
            html.Append("<h2 style=\"font-size:16px\">Failed jobs</h2>\n<table><tr><th>job</th><th>ID</th><th>why</th><th>last exit</th></tr>\n");
            foreach (var f in summary.Failures)
            {
                html.Append("<tr><td>").Append(Escape(f.DisplayName)).Append("</td><td>").Append(Escape(f.JobStoreId)).Append("</td><td>").Append(Escape(f.Reason))
                    .Append(c, $"</td><td>{f.ExitCode} ({f.ExitReason})</td></tr>\n");
            }

            html.Append("</table>\n");
        }

        if (summary.JobTypes.Count > 0)
        {
            html.Append("<h2 style=\"font-size:16px\">Job types</h2>\n<table><tr><th>type</th><th>bodies</th><th>total wall</th><th>longest</th><th>total CPU</th><th>written</th><th>read</th></tr>\n");
            foreach (var t in summary.JobTypes)
            {
                html.Append("<tr><td>").Append(Escape(t.JobName))
                    .Append(c, $"</td><td class=\"n\">{t.Count}</td><td class=\"n\">{RunSummaryText.Duration(t.TotalWallTime)}</td><td class=\"n\">{RunSummaryText.Duration(t.MaxWallTime)}</td><td class=\"n\">{RunSummaryText.Duration(t.TotalCpuTime)}</td><td class=\"n\">{ShortBytes(t.TotalBytesWritten)}</td><td class=\"n\">{ShortBytes(t.TotalBytesRead)}</td></tr>\n");
            }

            html.Append("</table>\n");
        }
    }

    private static string AttemptTitle(JobAttempt a)
    {
        var c = CultureInfo.InvariantCulture;
        string outcome = a.Failed ? $"failed: exit code {a.ExitCode} ({a.ExitReason})" : a.Ended is null ? "killed at the end of the run" : "succeeded";
        return Escape(string.Create(c, $"{a.DisplayName} [{a.JobName}] {a.JobStoreId}{(a.Retry ? " (retry)" : string.Empty)}; batch job {a.BatchJobId}; {outcome}; ")
            + string.Create(c, $"issued {a.Issued:HH:mm:ss.fff}, started {a.Started:HH:mm:ss.fff}{(a.Ended is { } e ? $", ended {e:HH:mm:ss.fff} ({RunSummaryText.Duration(e - a.Started)})" : string.Empty)}; ")
            + string.Create(c, $"{a.ChainedJobs.Count} chained job(s)")
            + (a.Body is null ? string.Empty : AttemptBytes(a)));
    }

    private static string JobTitle(JobTiming job, bool chained) =>
        Escape(string.Create(CultureInfo.InvariantCulture, $"{(chained ? "chained: " : string.Empty)}{job.DisplayName} [{job.JobName}] {job.JobStoreId}; started {job.Start:HH:mm:ss.fff}, {RunSummaryText.Duration(job.WallTime)} wall, {RunSummaryText.Duration(job.CpuTime)} CPU; file store {ShortBytes(job.BytesWritten)} written, {ShortBytes(job.BytesRead)} read{(job.Succeeded ? string.Empty : "; failed")}"));

    // The bytes of every body the attempt's worker ran (the issued job and its chained jobs).
    private static string AttemptBytes(JobAttempt a)
    {
        long written = a.Body?.BytesWritten ?? 0;
        long read = a.Body?.BytesRead ?? 0;
        foreach (var job in a.ChainedJobs)
        {
            written += job.BytesWritten;
            read += job.BytesRead;
        }

        return string.Create(CultureInfo.InvariantCulture, $"; file store {ShortBytes(written)} written, {ShortBytes(read)} read");
    }

    // A byte count for a tooltip or a table cell: the exact count below 1 KiB, else binary units.
    private static string ShortBytes(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.0} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.00} GiB"),
    };

    /// <summary>One line (control characters made visible) and HTML-escaped: safe in element text and in quoted attributes.</summary>
    private static string Escape(string? text) => WebUtility.HtmlEncode(TerminalText.EscapeLine(text));
}
