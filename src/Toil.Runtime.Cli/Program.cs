using System.CommandLine;

namespace Toil.Runtime.Cli;

/// <summary>The <c>toil</c> command: one executable, one sub-command per entry point.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand("Toil.Runtime command-line entry points.");
        // Each entry point adds its sub-command here (one file per command beside this one).
        root.Subcommands.Add(WorkerCommand.Create());
        return root.Parse(args).Invoke();
    }
}
