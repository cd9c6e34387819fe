using System.CommandLine;
using Microsoft.Extensions.Logging;
using Toil.Runtime.Executors.Contained;
using Toil.Runtime.Executors.Resources;

namespace Toil.Runtime.Cli;

/// <summary><c>toil contained-executor &lt;base64&gt;</c> (also <c>toil-contained-executor</c>): Toil's <c>_toil_contained_executor</c>.</summary>
internal static class ContainedExecutorCommand
{
    public const string Name = "contained-executor";

    public static Command Create()
    {
        // Zero or more, so that a wrong count reaches the executor and exits 255 as Toil does, not 1 with usage.
        var payload = new Argument<string[]>("payload")
        {
            Arity = ArgumentArity.ZeroOrMore,
            Description = "Base64 of the JSON payload {\"command\", \"environment\", \"userScript\"} (exactly one).",
        };
        var gracePeriod = new Option<double>("--grace-period")
        {
            Description = "Seconds the job's process group has to exit after a forwarded SIGTERM/SIGINT before it is sent SIGKILL.",
            DefaultValueFactory = _ => new ContainedExecutorOptions().TerminationGracePeriod.TotalSeconds,
        };
        var command = new Command(Name, "Run a packed worker command in its own process group and exit with its exit code.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.Arguments.Add(payload);
        command.Options.Add(gracePeriod);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            string[] args = [.. parseResult.GetValue(payload) ?? [], .. parseResult.UnmatchedTokens];
            using var loggerFactory = LoggerFactory.Create(builder => builder
                .SetMinimumLevel(LogLevel.Debug)
                .AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "yyyy-MM-ddTHH:mm:sszzz ";
                })
                // The child's output owns stdout; the executor's own log goes to stderr.
                .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
            // The payload's userScript names its job store; the store is opened on demand and closed when the run ends.
            var resources = JobResourceReaders.FromLocator();
            await using var closeStores = resources.ConfigureAwait(false);
            var options = new ContainedExecutorOptions
            {
                ResourceReader = resources.ReadAsync,
                TerminationGracePeriod = TimeSpan.FromSeconds(Math.Clamp(parseResult.GetValue(gracePeriod), 0, TimeSpan.FromDays(1).TotalSeconds)),
            };
            return await ContainedExecutor.RunAsync(args, options, loggerFactory, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }
}
