using Microsoft.Extensions.Hosting;
using Toil.Runtime.Leader.Workflows;

namespace Toil.Runtime.Hosting.Workflows;

/// <summary>
/// Runs one workflow for the host's lifetime: started with the host, cancelled by its stopping token (the leader then
/// kills running jobs, their deferred functions run, and the store stays for a restart), and stops the host when done.
/// </summary>
internal sealed class ToilWorkflowService<TJob, TInput>(
    IWorkflowRunner runner,
    ToilWorkflowRun run,
    Func<TInput> input,
    IHostApplicationLifetime? lifetime) : BackgroundService
    where TJob : class
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Off the host's start-up path: StartAsync returns at once and the host's other services start.
            await Task.Yield();
            var result = await runner.RunWorkflowAsync<TJob, TInput>(input(), stoppingToken).ConfigureAwait(false);
            run.Succeeded(result);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            run.Cancelled(stoppingToken);
        }
#pragma warning disable CA1031 // Reported through ToilWorkflowRun.Completion; the host is stopped either way.
        catch (Exception e)
#pragma warning restore CA1031
        {
            run.Failed(e);
        }
        finally
        {
            lifetime?.StopApplication();
        }
    }
}
