using System.CommandLine;

namespace Toil.Runtime.Cli;

/// <summary>The <c>toil</c> command: one executable, one sub-command per entry point; also runs as
/// <c>toil-&lt;sub-command&gt;</c> (see <see cref="EntryPointAlias"/>).</summary>
internal static class Program
{
    private static Task<int> Main(string[] args)
    {
        var root = CreateRoot();

        args = EntryPointAlias.Apply(root, args, EntryPointAlias.InvokedNames());
        if (args is [WorkerCommand.Name, Worker.ToilWorkerEntryPoint.ServeOption])
        {
            // The serving worker takes no positional arguments, which the worker command's help shows as required.
            return WorkerCommand.ServeAsync();
        }

        // Payloads are opaque tokens: an '@' must not be read as a response file.
        var parseResult = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parseResult.Errors.Count > 0 && parseResult.CommandResult.Command.Name == WorkerCommand.Name)
        {
            return Task.FromResult(WorkerCommand.ReportUsageError(parseResult, Console.Error));
        }

        // Entry points handle SIGTERM/SIGINT themselves (the executors forward them to their child's process group);
        // System.CommandLine's own handler would end the process after a fixed timeout.
        return parseResult.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }

    /// <summary>The <c>toil</c> command with every sub-command (tests invoke it in-process).</summary>
    /// <returns>The root command.</returns>
    internal static RootCommand CreateRoot()
    {
        var root = new RootCommand("Toil.Runtime command-line entry points.");
        // Each entry point adds its sub-command here (one file per command beside this one).
        root.Subcommands.Add(ContainedExecutorCommand.Create());
        root.Subcommands.Add(MesosExecutorCommand.Create());
        root.Subcommands.Add(WorkerCommand.Create());
        root.Subcommands.Add(InstallAliasesCommand.Create());
        // Operator commands on a store (Store/): they read JSON records only and need no job types.
        root.Subcommands.Add(Store.StatusCommand.Create());
        root.Subcommands.Add(Store.StatsCommand.Create());
        root.Subcommands.Add(Store.CleanCommand.Create());
        return root;
    }
}
