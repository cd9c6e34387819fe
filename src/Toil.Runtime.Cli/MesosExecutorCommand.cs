using System.CommandLine;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Toil.Runtime.Executors.Mesos;
using Toil.Runtime.Executors.Processes;
using Toil.Runtime.Executors.Resources;

namespace Toil.Runtime.Cli;

/// <summary><c>toil mesos-executor</c> (also <c>toil-mesos-executor</c>): Toil's <c>_toil_mesos_executor</c>, started by
/// a Mesos agent as a framework's custom executor; everything it needs comes from the agent's environment.</summary>
internal static class MesosExecutorCommand
{
    public const string Name = "mesos-executor";

    /// <summary>The exit code when the agent's environment is unusable (a missing ID, a malformed duration).</summary>
    public const int ExitBadEnvironment = 2;

    public static Command Create()
    {
        var logLevel = new Option<LogLevel>("--log-level")
        {
            Description = "The executor's own log level (to standard error).",
            DefaultValueFactory = _ => LogLevel.Information,
        };
        var command = new Command(Name, "Serve tasks for a Mesos agent over the v1 executor HTTP API (configured by the MESOS_* environment).");
        command.Options.Add(logLevel);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var loggerFactory = LoggerFactory.Create(builder => builder
                .SetMinimumLevel(parseResult.GetValue(logLevel))
                .AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "yyyy-MM-ddTHH:mm:sszzz ";
                })
                // Tasks inherit stdout; the executor's own log goes to stderr (the sandbox's stderr file).
                .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
            ILogger logger = loggerFactory.CreateLogger("Toil.Runtime.Executors.Mesos");

            MesosExecutorOptions options;
            try
            {
                options = MesosExecutorEnvironment.Read(Environment.GetEnvironmentVariable, logger);
            }
            catch (FormatException e)
            {
                logger.LogCritical("The agent's environment is not usable: {Problem}", e.Message);
                return ExitBadEnvironment;
            }

            // Each task's userScript names its job store; a store is opened once for all tasks and closed at exit.
            var resources = JobResourceReaders.FromLocator();
            await using var closeStores = resources.ConfigureAwait(false);
            options.ResourceReader = resources.ReadAsync;

            // SIGTERM/SIGINT stop the executor: its tasks' process groups are killed and reported first.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            int signal = 0;
            void OnSignal(PosixSignalContext context)
            {
                context.Cancel = true;
                Interlocked.CompareExchange(ref signal, UnixSignal.FromPosixSignal(context.Signal), 0);
                stop.Cancel();
            }

            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            try
            {
                return await MesosExecutor.RunAsync(options, loggerFactory, stop.Token).ConfigureAwait(false);
            }
            catch (OptionsValidationException e)
            {
                logger.LogCritical("The agent's environment is not usable: {Problem}", e.Message);
                return ExitBadEnvironment;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return 128 + (signal == 0 ? UnixSignal.Terminate : signal);
            }
        });
        return command;
    }
}
