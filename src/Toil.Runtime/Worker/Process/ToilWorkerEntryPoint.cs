using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.JobStores;
using Toil.Runtime.Jobs;

namespace Toil.Runtime.Worker;

/// <summary>
/// The worker process entry (Toil's <c>_toil_worker JOBNAME JOBSTORELOCATOR JOBSTOREID</c>) as a library call, so any
/// application, including a NativeAOT-published one, can be the worker program of its own jobs. It opens the job
/// store, builds the worker's services, runs <see cref="IWorkerRunner"/> in <see cref="WorkerMode.Process"/> and
/// returns the process exit code (docs/decisions.md#exit-codes).
/// </summary>
/// <example>
/// <code>
/// // Program.cs of a host that is its own worker program.
/// return await ToilWorkerEntryPoint.RunAsync(args, services =&gt; services.AddToilJob&lt;CountWords&gt;());
/// </code>
/// </example>
public static class ToilWorkerEntryPoint
{
    /// <summary>The exit code for bad arguments (a usage error, as Toil's argument parser).</summary>
    public const int UsageErrorExitCode = 2;

    /// <summary>
    /// The only argument of a serving worker process (<c>worker --serve</c>): instead of one job from its command line it
    /// runs jobs one after another as its standard input asks, each exactly as a one-job worker process would, and writes
    /// each one's exit code to its standard output (the local-process batch system's warm worker pool,
    /// docs/batch-systems.md#warm-worker-pool). Every <c>RunAsync</c> overload accepts it.
    /// </summary>
    public const string ServeOption = "--serve";

    /// <summary>
    /// Runs one worker process: parses <paramref name="args"/>, opens the job store, registers the Toil runtime and
    /// then <paramref name="configureServices"/>'s services, and runs the job.
    /// </summary>
    /// <param name="args">The arguments after the program (and sub-command) name: <c>JOBNAME JOBSTORELOCATOR JOBSTOREID</c>.</param>
    /// <param name="configureServices">Registers the host's job types (<c>AddToilJob&lt;T&gt;()</c>) and their services.</param>
    /// <param name="cancellationToken">Cancels the run; the attempt then counts as failed.</param>
    /// <returns>The process exit code: the runner's, <see cref="WorkerExitCodes.NoJobStore"/>, <see cref="UsageErrorExitCode"/> or <see cref="WorkerExitCodes.Failed"/>.</returns>
    public static Task<int> RunAsync(string[] args, Action<IServiceCollection> configureServices, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configureServices);
        return RunAsync(args, (services, _) => configureServices(services), cancellationToken);
    }

    /// <summary>
    /// Runs one worker process, letting <paramref name="configureServices"/> see the workflow configuration persisted
    /// in the job store (for example <see cref="WorkflowConfig.JobAssemblies"/>) while it registers services.
    /// </summary>
    /// <param name="args">The arguments after the program (and sub-command) name: <c>JOBNAME JOBSTORELOCATOR JOBSTOREID</c>.</param>
    /// <param name="configureServices">Registers the host's job types and their services, given the workflow configuration.</param>
    /// <param name="cancellationToken">Cancels the run; the attempt then counts as failed.</param>
    /// <returns>The process exit code: the runner's, <see cref="WorkerExitCodes.NoJobStore"/>, <see cref="UsageErrorExitCode"/> or <see cref="WorkerExitCodes.Failed"/>.</returns>
    public static Task<int> RunAsync(string[] args, Action<IServiceCollection, WorkflowConfig> configureServices, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configureServices);
        return RunCoreAsync(args, ServiceBuilder(configureServices), ownsProvider: true, Console.Error, cancellationToken);
    }

    /// <summary>
    /// Serves jobs until standard input ends (<see cref="ServeOption"/>): each request line is one job, run as
    /// <see cref="RunAsync(string[], Action{IServiceCollection, WorkflowConfig}, CancellationToken)"/> would run it in a
    /// process of its own (its own directories, liveness lock, log capture, deferred functions and stats), with the
    /// services built anew for each job; a job store is opened once per locator and reused.
    /// </summary>
    /// <param name="configureServices">Registers the host's job types and their services, given the workflow configuration.</param>
    /// <param name="cancellationToken">Ends serving: the running job fails, and no further request is read.</param>
    /// <returns>The process exit code: 0 when standard input ended, <see cref="WorkerExitCodes.LeaderGone"/> when a job found its leader gone, else <see cref="WorkerExitCodes.Failed"/>.</returns>
    public static Task<int> ServeAsync(Action<IServiceCollection, WorkflowConfig> configureServices, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configureServices);
        return WorkerServer.ServeAsync(ServiceBuilder(configureServices), ownsProvider: true, Console.Error, cancellationToken);
    }

    /// <summary>Runs one worker process on arguments a caller already parsed (the <c>toil worker</c> command parses them
    /// once, with System.CommandLine); otherwise as <see cref="RunAsync(string[], Action{IServiceCollection, WorkflowConfig}, CancellationToken)"/>.</summary>
    internal static Task<int> RunAsync(WorkerArguments arguments, Action<IServiceCollection, WorkflowConfig> configureServices, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configureServices);
        return RunParsedAsync(arguments, ServiceBuilder(configureServices), ownsProvider: true, error, cancellationToken);
    }

    private static Func<WorkflowConfig, IServiceProvider> ServiceBuilder(Action<IServiceCollection, WorkflowConfig> configureServices) => config =>
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddToilRuntime();
        configureServices(services, config);
        return services.BuildServiceProvider();
    };

    /// <summary>
    /// Runs one worker process with services the host already built (they must hold an <see cref="IWorkerRunner"/>,
    /// for example through <c>AddToilRuntime()</c>, and the host's job types).
    /// </summary>
    /// <param name="args">The arguments after the program (and sub-command) name: <c>JOBNAME JOBSTORELOCATOR JOBSTOREID</c>.</param>
    /// <param name="services">The host's services; not disposed.</param>
    /// <param name="cancellationToken">Cancels the run; the attempt then counts as failed.</param>
    /// <returns>The process exit code: the runner's, <see cref="WorkerExitCodes.NoJobStore"/>, <see cref="UsageErrorExitCode"/> or <see cref="WorkerExitCodes.Failed"/>.</returns>
    public static Task<int> RunAsync(string[] args, IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        return RunCoreAsync(args, _ => services, ownsProvider: false, Console.Error, cancellationToken);
    }

    /// <summary>The entry's algorithm; <paramref name="error"/> receives what Toil writes to standard error.</summary>
    internal static async Task<int> RunCoreAsync(
        string[] args, Func<WorkflowConfig, IServiceProvider> buildServices, bool ownsProvider, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args is [ServeOption])
        {
            return await WorkerServer.ServeAsync(buildServices, ownsProvider, error, cancellationToken).ConfigureAwait(false);
        }

        if (!WorkerArguments.TryParse(args, out var arguments, out string? problem))
        {
            await error.WriteLineAsync($"{WorkerArguments.Usage}{Environment.NewLine}error: {problem}").ConfigureAwait(false);
            return UsageErrorExitCode;
        }

        return await RunParsedAsync(arguments!, buildServices, ownsProvider, error, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> RunParsedAsync(
        WorkerArguments arguments, Func<WorkflowConfig, IServiceProvider> buildServices, bool ownsProvider, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var (store, exitCode) = await OpenStoreAsync(arguments.JobStoreLocator, error, cancellationToken).ConfigureAwait(false);
        if (store is null)
        {
            return exitCode;
        }

        await using (store.ConfigureAwait(false))
        {
            return await RunOnStoreAsync(store, arguments, buildServices, ownsProvider, error, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Opens the job store a worker names; on failure writes why to <paramref name="error"/> and gives the exit code.</summary>
    internal static async Task<(IJobStore? Store, int ExitCode)> OpenStoreAsync(string locator, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            return (await WorkerJobStoreLocator.OpenAsync(locator, cancellationToken).ConfigureAwait(false), WorkerExitCodes.Success);
        }
        catch (UnsupportedJobStoreLocatorException e)
        {
            await error.WriteLineAsync($"{WorkerArguments.Usage}{Environment.NewLine}error: {e.Message}").ConfigureAwait(false);
            return (null, UsageErrorExitCode);
        }
        catch (Exception e) when (e is NoSuchJobStoreException or IOException or UnauthorizedAccessException)
        {
            string detail = e is NoSuchJobStoreException ? string.Empty : $" ({e.Message})";
            await error.WriteLineAsync(
                $"Could not access the job store at '{locator}'{detail}. If you are running with a grid batch " +
                "system (e.g. Slurm), the job store path must be on a shared filesystem that every node mounts at the same path.")
                .ConfigureAwait(false);
            return (null, WorkerExitCodes.NoJobStore);
        }
        catch (Exception e)
        {
            // The store is there but unusable (corrupt format or configuration, no file locks): not a mount problem.
            await error.WriteLineAsync($"Could not open the job store at '{locator}': {e}").ConfigureAwait(false);
            return (null, WorkerExitCodes.Failed);
        }
    }

    /// <summary>Builds the services and runs one job on an open store in <see cref="WorkerMode.Process"/>; gives the exit code.</summary>
    internal static async Task<int> RunOnStoreAsync(
        IJobStore store, WorkerArguments arguments, Func<WorkflowConfig, IServiceProvider> buildServices, bool ownsProvider, TextWriter error, CancellationToken cancellationToken)
    {
        IServiceProvider? provider = null;
        try
        {
            provider = buildServices(store.Config);
            var runner = provider.GetRequiredService<IWorkerRunner>();
            var request = new WorkerRequest(store, arguments.JobStoreId) { JobName = arguments.JobName, Mode = WorkerMode.Process };
            var result = await runner.RunAsync(request, cancellationToken).ConfigureAwait(false);
            return result.ExitCode;
        }
        catch (Exception e)
        {
            await error.WriteLineAsync($"The worker for job '{arguments.JobName}' ({arguments.JobStoreId}) failed: {e}").ConfigureAwait(false);
            return WorkerExitCodes.Failed;
        }
        finally
        {
            if (ownsProvider && provider is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
