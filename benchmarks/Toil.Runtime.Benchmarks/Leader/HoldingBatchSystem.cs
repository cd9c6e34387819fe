using Toil.Runtime.Leader.BatchSystems;

namespace Toil.Runtime.Benchmarks.Leader;

/// <summary>A batch system that queues every attempt and runs none: the leader's state with N pending jobs, measured.</summary>
internal sealed class HoldingBatchSystem(int expected) : IBatchSystem
{
    private readonly List<BatchJobRequest> _held = [];
    private readonly TaskCompletionSource _full = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name => "holding";

    /// <summary>Completes when <c>expected</c> attempts are held.</summary>
    public Task Full => _full.Task;

    public void CheckResourceRequest(JobResources resources)
    {
    }

    public ValueTask<long> IssueJobAsync(BatchJobRequest request, CancellationToken cancellationToken = default)
    {
        _held.Add(request);
        if (_held.Count == expected)
        {
            _full.TrySetResult();
        }

        return ValueTask.FromResult((long)_held.Count);
    }

    public ValueTask KillJobsAsync(IReadOnlyCollection<long> batchJobIds, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public IReadOnlyCollection<long> GetIssuedJobIds() => [.. Enumerable.Range(1, _held.Count).Select(i => (long)i)];

    public IReadOnlyDictionary<long, TimeSpan> GetRunningJobs() => new Dictionary<long, TimeSpan>();

    public async ValueTask<BatchJobUpdate> WaitForUpdateAsync(CancellationToken cancellationToken = default)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        throw new InvalidOperationException("unreachable");
    }

    public ValueTask ShutdownAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
