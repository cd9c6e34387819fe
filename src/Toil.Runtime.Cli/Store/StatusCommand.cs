using System.CommandLine;
using System.Globalization;
using Toil.Runtime.Logging;

namespace Toil.Runtime.Cli.Store;

/// <summary>
/// <c>toil status STORE [--log-lines N]</c> (Toil's <c>toil status</c>): the store's jobs by state, every job that failed
/// for good with the tail of its log, whether a leader is alive (the leader lock is probed, never held) and how the last
/// run ended. Reads records only; needs no job types. Exit codes in <see cref="StoreExitCodes"/>.
/// </summary>
internal static class StatusCommand
{
    /// <summary>The sub-command's name.</summary>
    public const string Name = "status";

    /// <summary>Creates the sub-command.</summary>
    /// <returns>The <c>status</c> command.</returns>
    public static Command Create()
    {
        var store = StoreArgument.Create();
        var logLines = new Option<int>("--log-lines")
        {
            Description = "How many of the last lines of each failed job's log to show (0 for none).",
            DefaultValueFactory = _ => 20,
        };
        logLines.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 0)
            {
                r.AddError("--log-lines must not be negative");
            }
        });
        var command = new Command(Name, "Show a job store's jobs by state, its failed jobs with their logs, and whether a leader runs on it.")
        {
            store,
            logLines,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            try
            {
                string locator = parse.GetRequiredValue(store);
                string path = StoreAccess.PathOf(locator);
                var opened = await StoreAccess.OpenAsync(locator, cancellationToken).ConfigureAwait(false);
                await using (opened.ConfigureAwait(false))
                {
                    WorkflowStatus status;
                    try
                    {
                        status = await WorkflowStatus.ReadAsync(opened, path, parse.GetValue(logLines), cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (StoreAccess.Translate(e, opened.Locator) is { } translated)
                    {
                        throw translated;
                    }

                    Write(output, status);
                    return StoreExitCodes.Success;
                }
            }
            catch (StoreCommandException e)
            {
                return StoreAccess.Fail(parse.InvocationConfiguration.Error, e);
            }
        });
        return command;
    }

    /// <summary>Writes the report; every text from the store goes through <see cref="TerminalText"/>.</summary>
    public static void Write(TextWriter output, WorkflowStatus status)
    {
        static string N(int value) => value.ToString(CultureInfo.InvariantCulture);
        output.WriteLine($"Job store   {TerminalText.EscapeLine(status.Locator)}");
        output.WriteLine($"Workflow    {TerminalText.EscapeLine(status.WorkflowId)}");
        output.WriteLine(status.RootJobId is null
            ? "Root job    none (the workflow was not started in this store)"
            : $"Root job    {TerminalText.EscapeLine(status.RootJobId)}{(status.RootJobExists ? string.Empty : " (done: removed)")}");
        output.WriteLine(status.LeaderAlive
            ? $"Leader      alive ({TerminalText.EscapeLine(status.LeaderHolder ?? "holder unknown")})"
            : "Leader      not running");
        output.WriteLine($"Last run    {status.LastRun ?? (status.LeaderAlive ? "running" : "did not finish")}");
        output.WriteLine($"Jobs        {N(status.Total)}");
        output.WriteLine($"  to run or running       {N(status.ToRun)} (retrying: {N(status.Retrying)})");
        output.WriteLine($"  waiting on successors   {N(status.WaitingOnSuccessors)}");
        output.WriteLine($"  done, not yet removed   {N(status.Finished)}");
        output.WriteLine($"  failed for good         {N(status.Failed.Count)}");
        if (status.WithServices > 0)
        {
            output.WriteLine($"  hosting services        {N(status.WithServices)}");
        }

        foreach (var failed in status.Failed)
        {
            output.WriteLine();
            string display = failed.DisplayName.Length > 0 && failed.DisplayName != failed.JobName ? $" ({TerminalText.EscapeLine(failed.DisplayName)})" : string.Empty;
            output.WriteLine($"Failed: '{TerminalText.EscapeLine(failed.JobName)}'{display} {TerminalText.EscapeLine(failed.JobStoreId)}: {failed.Reason}");
            if (failed.LogTail.Count == 0)
            {
                output.WriteLine("  (no log stored)");
                continue;
            }

            output.WriteLine($"  last {N(failed.LogTail.Count)} lines of its log:");
            foreach (string line in failed.LogTail)
            {
                output.WriteLine("  | " + TerminalText.EscapeLine(line));
            }
        }
    }
}
