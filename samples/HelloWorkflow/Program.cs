using HelloWorkflow;
using Spectre.Console;
using Toil.Runtime.Leader.Display;

// A whole workflow on the embedded file job store, run by the leader with in-process workers. Everything it makes
// lives in one temporary directory, removed at the end. On a terminal a live progress bar runs under the leader's
// messages; redirected, the messages are plain lines. The run summary follows as tables. `--timeline PATH` also
// writes the run's timeline (an HTML page; docs/progress.md).
string? timeline = args.Length == 2 && args[0] == "--timeline" ? Path.GetFullPath(args[1]) : null;
string directory = Directory.CreateTempSubdirectory("hello-workflow-").FullName;
var display = new WorkflowProgressDisplay(AnsiConsole.Console);
using TextWriter output = display.IsLive ? new ConsoleLineWriter(AnsiConsole.Console) : TextWriter.Synchronized(Console.Out);
try
{
    output.WriteLine($"HelloWorkflow in {directory}");
    await display.RunAsync(() => HelloWorkflowRun.RunAsync(directory, output, timeline, display));
    if (timeline is not null)
    {
        output.WriteLine($"timeline: {timeline}");
    }

    return 0;
}
catch (Toil.Runtime.Leader.Workflows.FailedJobsException)
{
    return 1;
}
finally
{
    Directory.Delete(directory, recursive: true);
}
