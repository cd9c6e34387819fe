using System.CommandLine;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Cli;

/// <summary>
/// <c>toil worker JOBNAME JOBSTORELOCATOR JOBSTOREID</c> (Toil's <c>_toil_worker</c>): runs one job of a workflow whose
/// job types live in the assemblies named by the job store's <see cref="Jobs.WorkflowConfig.JobAssemblies"/>. JIT only;
/// a NativeAOT host calls <see cref="ToilWorkerEntryPoint"/>. The arguments are parsed here, once, by System.CommandLine;
/// a parse error is a usage error with exit code <see cref="ToilWorkerEntryPoint.UsageErrorExitCode"/> (see <see cref="Program"/>).
/// <c>toil worker --serve</c> is a serving worker of the warm worker pool (docs/batch-systems.md#warm-worker-pool).
/// </summary>
internal static class WorkerCommand
{
    /// <summary>The sub-command's name.</summary>
    public const string Name = "worker";

    /// <summary>The one-line usage printed with every argument error.</summary>
    public const string Usage = "usage: toil worker JOBNAME JOBSTORELOCATOR JOBSTOREID";

    /// <summary>Creates the sub-command.</summary>
    /// <returns>The <c>worker</c> command.</returns>
    public static Command Create()
    {
        var jobName = Required("JOBNAME", "The job's name (for logging only).");
        var locator = Required("JOBSTORELOCATOR", "The job store, e.g. file:/shared/store.");
        var jobStoreId = Required("JOBSTOREID", "The ID of the job to run.");
        // Toil's --context carries pickled Python context managers, which a .NET worker cannot load (docs/decisions.md);
        // named here so that the refusal says why instead of "unrecognized argument".
        var context = new Option<string[]>("--context") { Hidden = true, Arity = ArgumentArity.ZeroOrMore };
        context.Validators.Add(r => r.AddError("the option '--context' (pickled Python context managers) is not supported by a .NET worker"));
        // Handled before parsing (see Program): here only so that it is refused beside the positional arguments.
        var serve = new Option<bool>(ToilWorkerEntryPoint.ServeOption) { Hidden = true };
        serve.Validators.Add(r =>
        {
            if (!r.Implicit)
            {
                r.AddError($"'{ToilWorkerEntryPoint.ServeOption}' takes no JOBNAME JOBSTORELOCATOR JOBSTOREID: it reads one job request per line from standard input");
            }
        });
        var command = new Command(
            Name,
            "Runs one job (and the successors it can chain) from a job store, as a batch system's worker process. Job types " +
            "come from the assemblies in the workflow's JobAssemblies; each names its IToilJobModule with " +
            "[assembly: ToilJobModule(typeof(...))]. Exit codes: 0 success, 1 job failed, N a job asked for N, " +
            "2 bad arguments, 76 job store not reachable. With --serve alone it runs jobs one after another as its standard " +
            "input asks (the local-process batch system's warm worker pool).")
        {
            jobName,
            locator,
            jobStoreId,
            context,
            serve,
        };
        command.SetAction((parse, cancellationToken) => ToilWorkerEntryPoint.RunAsync(
            new WorkerArguments(parse.GetRequiredValue(jobName), parse.GetRequiredValue(locator), parse.GetRequiredValue(jobStoreId)),
            // No console logger: the runtime's capture provider already writes the jobs' own ILogger<T> entries into the
            // worker log, and in process mode a console logger would write each of them there twice.
            (services, config) => JobAssemblyLoader.Register(config.JobAssemblies, services),
            Console.Error,
            cancellationToken));
        return command;
    }

    /// <summary>
    /// <c>toil worker --serve</c>: serves jobs from standard input (<see cref="ToilWorkerEntryPoint.ServeAsync"/>), each
    /// job's types from its workflow's job assemblies. Like a one-job worker it does not trap SIGTERM: it ends at once.
    /// </summary>
    /// <returns>The process exit code.</returns>
    public static Task<int> ServeAsync() =>
        ToilWorkerEntryPoint.ServeAsync((services, config) => JobAssemblyLoader.Register(config.JobAssemblies, services));

    /// <summary>Writes a parse result's errors as a usage error (Toil's argument parser exits 2 after one).</summary>
    /// <param name="parseResult">A parse result of the <c>worker</c> command with at least one error.</param>
    /// <param name="error">Where the usage goes (standard error).</param>
    /// <returns><see cref="ToilWorkerEntryPoint.UsageErrorExitCode"/>.</returns>
    public static int ReportUsageError(ParseResult parseResult, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        ArgumentNullException.ThrowIfNull(error);
        error.WriteLine(Usage);
        foreach (var problem in parseResult.Errors)
        {
            error.WriteLine("error: " + problem.Message);
        }

        return ToilWorkerEntryPoint.UsageErrorExitCode;
    }

    private static Argument<string> Required(string name, string description)
    {
        var argument = new Argument<string>(name) { Description = description, Arity = ArgumentArity.ExactlyOne };
        argument.Validators.Add(r =>
        {
            if (string.IsNullOrWhiteSpace(r.GetValueOrDefault<string>()))
            {
                r.AddError($"{name} must not be empty");
            }
        });
        return argument;
    }
}
