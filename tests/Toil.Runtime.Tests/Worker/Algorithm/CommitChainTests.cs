using Microsoft.Extensions.Time.Testing;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Worker;

public sealed class CommitChainTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(1);

    [Test]
    public async Task WaitAsync_NothingCommittedYet_CompletesAtOnce()
    {
        var chain = new CommitChain(Bound, new FakeTimeProvider(), "job-1");

        await chain.WaitAsync(CancellationToken.None);
        await chain.WaitForAllAsync();
    }

    [Test]
    public async Task WaitAsync_LastCommitFails_RethrowsItsFailure()
    {
        var chain = new CommitChain(Bound, new FakeTimeProvider(), "job-1");
        chain.Follow(_ => ValueTask.FromException(new IOException("disk full")));

        await chain.Invoking(c => c.WaitAsync(CancellationToken.None).AsTask()).Should().ThrowAsync<IOException>().WithMessage("disk full");
    }

    [Test]
    public async Task WaitAsync_CommitNeverFinishes_ThrowsTimeoutNamingTheJobAfterTheBound()
    {
        var time = new FakeTimeProvider();
        var chain = new CommitChain(Bound, time, "job-1");
        var never = new TaskCompletionSource();
        chain.Follow(_ => new ValueTask(never.Task));

        var wait = chain.WaitAsync(CancellationToken.None).AsTask();
        wait.IsCompleted.Should().BeFalse();
        time.Advance(Bound);

        await wait.Invoking(w => w).Should().ThrowAsync<TimeoutException>().WithMessage("*job-1*");
    }

    [Test]
    public async Task WaitForAllAsync_CommitNeverFinishes_CancelsItAndThrowsTimeoutAfterTheBound()
    {
        var time = new FakeTimeProvider();
        var chain = new CommitChain(Bound, time, "job-1");
        var never = new TaskCompletionSource();
        CancellationToken seen = default;
        chain.Follow(ct =>
        {
            seen = ct;
            return new ValueTask(never.Task.WaitAsync(ct));
        });

        var wait = chain.WaitForAllAsync().AsTask();
        time.Advance(Bound);

        await wait.Invoking(w => w).Should().ThrowAsync<TimeoutException>().WithMessage("*job-1*");
        seen.IsCancellationRequested.Should().BeTrue("the commit is told to stop when the bound passes");
    }

    [Test]
    public async Task Follow_LaterStore_ReplacesTheWaitTheNextStoreGets()
    {
        var chain = new CommitChain(Bound, new FakeTimeProvider(), "job-1");
        var first = chain.Last;
        Func<CancellationToken, ValueTask> second = _ => ValueTask.CompletedTask;

        chain.Follow(second);

        chain.Last.Should().BeSameAs(second).And.NotBeSameAs(first);
        await chain.WaitAsync(CancellationToken.None);
    }
}
