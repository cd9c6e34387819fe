using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Toil.Runtime.Executors.Resources;

namespace Toil.Runtime.Executors.Contained;

/// <summary>
/// Toil's contained executor (<c>_toil_contained_executor</c>): the entry point a container runs, with one argument
/// that packs a worker command. It deploys the payload's user script, runs the command under <c>/bin/sh -c</c> in its
/// own process group, forwards SIGTERM and SIGINT to that group, and exits with the command's exit code.
/// </summary>
/// <remarks>Exit codes: the command's own exit status; 128+N if the shell was killed by signal N (docs/decisions.md#exit-codes); 255 if
/// the argument count or payload is wrong, the user script cannot be deployed, or running the child failed.</remarks>
public static class ContainedExecutor
{
    /// <summary>The program name a packed argument vector starts with.</summary>
    public const string ProgramName = "toil-contained-executor";

    /// <summary>The exit code that means "status unavailable" (bad payload, or the child could not be run).</summary>
    public const int UnavailableExitCode = 255;

    /// <summary>Packs a command for the executor (the leader side; Toil's <c>pack_job</c>).</summary>
    /// <param name="command">The command line to run under <c>/bin/sh -c</c>.</param>
    /// <param name="userScript">A resource to deploy first, or <see langword="null"/>.</param>
    /// <param name="environment">Variables for the command, or <see langword="null"/> to omit the key.</param>
    /// <returns><c>["toil-contained-executor", &lt;base64 payload&gt;]</c>, e.g. a container's <c>command</c>.</returns>
    /// <exception cref="ContainedExecutorPayloadException">The command, a variable or the resource is invalid.</exception>
    public static IReadOnlyList<string> PackJob(string command, JobResource? userScript = null, IReadOnlyDictionary<string, string>? environment = null)
        => [ProgramName, new ContainedExecutorPayload(command, environment, userScript).Encode()];

    /// <summary>Runs the executor until its child exits.</summary>
    /// <param name="args">The arguments after the program name: exactly one base64 payload.</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <param name="loggerFactory">Where the executor logs (Toil logs at DEBUG), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancelling acts like SIGTERM: it is forwarded to the child's process group,
    /// which is then waited for.</param>
    /// <returns>The process exit code (see <see cref="ContainedExecutor"/>).</returns>
    /// <remarks>While it runs, SIGTERM and SIGINT of this process are handled (and not delivered to the host).
    /// This process's environment is never changed: the payload's environment goes to the child only.</remarks>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, ContainedExecutorOptions? options = null, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        options ??= new ContainedExecutorOptions();
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(typeof(ContainedExecutor).FullName!);
        ContainedExecutorLog.Starting(logger);

        var validation = new ContainedExecutorOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            ContainedExecutorLog.InvalidOptions(logger, validation.FailureMessage);
            return UnavailableExitCode;
        }

        if (args.Count != 1)
        {
            ContainedExecutorLog.WrongArgumentCount(logger, args.Count);
            return UnavailableExitCode;
        }

        ContainedExecutorPayload payload;
        try
        {
            payload = ContainedExecutorPayload.Decode(args[0]);
        }
        catch (ContainedExecutorPayloadException ex)
        {
            ContainedExecutorLog.BadPayload(logger, ex.Message);
            return UnavailableExitCode;
        }

        var run = new ContainedExecutorRun(payload, options, logger);
        return await run.RunAsync(cancellationToken).ConfigureAwait(false);
    }
}
