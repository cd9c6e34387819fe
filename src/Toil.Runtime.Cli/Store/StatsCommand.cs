using System.CommandLine;
using System.Globalization;
using Toil.Runtime.Logging;

namespace Toil.Runtime.Cli.Store;

/// <summary>
/// <c>toil stats STORE [--json]</c> (Toil's <c>toil stats</c>): aggregate statistics per job type (count, failures, wall
/// and CPU time, peak memory, bytes written and read through the file store) from the stats every worker wrote into the store. The leader archives the messages it
/// reads and never deletes them, so they stay until the store is destroyed (a run with <c>Clean = Never</c>, or a failed
/// one under the default <c>OnSuccess</c>, keeps them). Reads only; safe while a leader runs.
/// </summary>
internal static class StatsCommand
{
    /// <summary>The sub-command's name.</summary>
    public const string Name = "stats";

    /// <summary>Creates the sub-command.</summary>
    /// <returns>The <c>stats</c> command.</returns>
    public static Command Create()
    {
        var store = StoreArgument.Create();
        var json = new Option<bool>("--json") { Description = "Write the report as JSON instead of a table." };
        var command = new Command(Name, "Show aggregate statistics per job type (count, wall and CPU time, memory, file store bytes) from the stats the workers wrote.")
        {
            store,
            json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            try
            {
                string locator = parse.GetRequiredValue(store);
                string path = StoreAccess.PathOf(locator);
                // Opening proves it is a complete store (and not corrupt) before its stats are read.
                var opened = await StoreAccess.OpenAsync(locator, cancellationToken).ConfigureAwait(false);
                await using (opened.ConfigureAwait(false))
                {
                    StatsReport report;
                    try
                    {
                        var messages = StatsMessages.Read(path, (name, why) => error.WriteLine($"warning: skipped the stats message {TerminalText.EscapeLine(name)}: {TerminalText.EscapeLine(why)}"));
                        report = StatsReport.Aggregate(opened.Locator, messages, why => error.WriteLine("warning: skipped a message that is not a stats document: " + TerminalText.EscapeLine(why)));
                    }
                    catch (Exception e) when (StoreAccess.Translate(e, opened.Locator) is { } translated)
                    {
                        throw translated;
                    }

                    if (parse.GetValue(json))
                    {
                        // JSON escapes every control character itself; names keep their original text.
                        output.WriteLine(report.ToJson());
                    }
                    else
                    {
                        WriteTable(output, report);
                    }

                    return StoreExitCodes.Success;
                }
            }
            catch (StoreCommandException e)
            {
                return StoreAccess.Fail(error, e);
            }
        });
        return command;
    }

    /// <summary>Writes the report as a table (job type names through <see cref="TerminalText"/>).</summary>
    public static void WriteTable(TextWriter output, StatsReport report)
    {
        static string S(double seconds) => seconds.ToString("0.000", CultureInfo.InvariantCulture);
        static string I(long value) => value.ToString(CultureInfo.InvariantCulture);
        output.WriteLine($"Job store: {TerminalText.EscapeLine(report.JobStore)}");
        output.WriteLine($"Workers: {I(report.Workers)}  Jobs run: {I(report.JobsRun)}  Worker wall: {S(report.WorkerWallSeconds)} s  Worker CPU: {S(report.WorkerCpuSeconds)} core·s  Max worker memory: {I(report.WorkerMaxMemoryKiB)} KiB");
        output.WriteLine($"File store: {I(report.FileBytesWritten)} bytes written, {I(report.FileBytesRead)} bytes read");
        if (report.SkippedMessages > 0)
        {
            output.WriteLine($"Skipped messages: {I(report.SkippedMessages)}");
        }

        if (report.JobTypes.Count == 0)
        {
            output.WriteLine("No job stats in this store (none written yet, or the store was cleaned and made again).");
            return;
        }

        string[] header = ["Job type", "Count", "Failed", "Wall s", "Mean wall s", "Max wall s", "CPU s", "Mean CPU s", "Max mem KiB", "Written B", "Read B"];
        var rows = report.JobTypes.Select(t => new[]
        {
            TerminalText.EscapeLine(t.Name), I(t.Count), I(t.Failed), S(t.WallSeconds), S(t.MeanWallSeconds), S(t.MaxWallSeconds), S(t.CpuSeconds), S(t.MeanCpuSeconds), I(t.MaxMemoryKiB), I(t.FileBytesWritten), I(t.FileBytesRead),
        }).ToList();
        int[] widths = [.. header.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length)))];
        output.WriteLine(string.Join("  ", header.Select((h, i) => i == 0 ? h.PadRight(widths[i]) : h.PadLeft(widths[i]))).TrimEnd());
        foreach (var row in rows)
        {
            output.WriteLine(string.Join("  ", row.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd());
        }
    }
}
