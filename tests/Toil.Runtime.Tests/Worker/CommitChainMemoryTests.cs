using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging.Abstractions;
using Toil.Runtime.FileStores;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Tests.Worker;

/// <summary>A worker chains thousands of jobs in one run: its commit chain must not keep every earlier file store alive.</summary>
public sealed class CommitChainMemoryTests
{
    [Test]
    public async Task WaitForCommitAsync_AfterTheNextCommitIsDurable_EarlierFileStoreIsCollectable()
    {
        await using var store = new InMemoryJobStore();
        var job = new JobDescription("chained");
        string id = await store.CreateJobAsync(job);
        string temp = Path.Combine(Path.GetTempPath(), "toil-commit-chain-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (first, next) = CommitTwo(store, await store.LoadJobAsync(id), await store.LoadJobAsync(id), temp);
            await next.WaitForCommitAsync();

            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();

            first.TryGetTarget(out _).Should().BeFalse("a durable commit no longer needs the store before it");
            GC.KeepAlive(next);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    // Synchronous and not inlined, so no async state machine or debug-extended local keeps the first store alive.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (WeakReference<NonCachingFileStore> First, NonCachingFileStore Next) CommitTwo(IJobStore store, JobDescription predecessor, JobDescription successor, string temp)
    {
        var first = new NonCachingFileStore(store, predecessor, Path.Combine(temp, "1"), NullLogger.Instance);
        first.StartCommitAsync().AsTask().GetAwaiter().GetResult();
        successor.Version = predecessor.Version;
        var next = new NonCachingFileStore(store, successor, Path.Combine(temp, "2"), NullLogger.Instance, first.WaitForCommitAsync);
        next.StartCommitAsync().AsTask().GetAwaiter().GetResult();
        return (new WeakReference<NonCachingFileStore>(first), next);
    }
}
