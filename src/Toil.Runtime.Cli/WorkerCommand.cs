using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Cli;

/// <summary>
/// <c>toil worker JOBNAME JOBSTORELOCATOR JOBSTOREID</c> (also <c>toil-worker</c>; Toil's <c>_toil_worker</c>): runs one
/// job of a workflow whose job types live in the assemblies named by the job store's
/// <see cref="Jobs.WorkflowConfig.JobAssemblies"/>. JIT only; a NativeAOT host calls <see cref="ToilWorkerEntryPoint"/>.
/// </summary>
internal static class WorkerCommand
{
    /// <summary>Creates the sub-command.</summary>
    /// <returns>The <c>worker</c> command.</returns>
    public static Command Create()
    {
        // Arity is checked by the library's parser so that every argument error is a usage error with Toil's exit code 2.
        var jobName = new Argument<string>("JOBNAME") { Description = "The job's name (for logging only).", Arity = ArgumentArity.ZeroOrOne };
        var locator = new Argument<string>("JOBSTORELOCATOR") { Description = "The job store, e.g. file:/shared/store.", Arity = ArgumentArity.ZeroOrOne };
        var jobStoreId = new Argument<string>("JOBSTOREID") { Description = "The ID of the job to run.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command(
            "worker",
            "Runs one job (and the successors it can chain) from a job store, as a batch system's worker process. Job types " +
            "come from the assemblies in the workflow's JobAssemblies; each names its IToilJobModule with " +
            "[assembly: ToilJobModule(typeof(...))]. Exit codes: 0 success, 1 job failed, N a job asked for N, " +
            "2 bad arguments, 76 job store not reachable.")
        {
            jobName,
            locator,
            jobStoreId,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) =>
        {
            string[] args =
            [
                .. new[] { parse.GetValue(jobName), parse.GetValue(locator), parse.GetValue(jobStoreId) }.OfType<string>(),
                .. parse.UnmatchedTokens,
            ];
            return ToilWorkerEntryPoint.RunAsync(
                args,
                (services, config) =>
                {
                    // No console logger: the runtime's capture provider already writes the jobs' own ILogger<T> entries
                    // into the worker log, and in process mode a console logger would write each of them there twice.
                    JobAssemblyLoader.Register(config.JobAssemblies, services);
                },
                cancellationToken);
        });
        return command;
    }
}
