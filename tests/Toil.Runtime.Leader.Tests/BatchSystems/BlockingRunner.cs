using Toil.Runtime.Worker;

namespace Toil.Runtime.Leader.Tests.BatchSystems;

/// <summary>A worker runner whose runs last until they are cancelled: an in-process batch system's slots stay taken.</summary>
internal sealed class BlockingRunner : IWorkerRunner
{
    /// <inheritdoc />
    public async Task<WorkerResult> RunAsync(WorkerRequest request, CancellationToken cancellationToken = default)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return new WorkerResult { ExitCode = 0, Failed = false, JobsRun = [], JobStoreId = request.JobStoreId };
    }
}
