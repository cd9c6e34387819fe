using System.Collections.Concurrent;
using Toil.Runtime.IO;

namespace Toil.Runtime.Tests.IO;

[CancelAfter(60_000)]
public sealed class DirectorySyncGroupTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    private long _clock;

    [Test]
    public async Task SyncAsync_CallersJoinWhileASyncIsInFlight_ShareOneSyncThatStartsAfterTheirChanges()
    {
        var gated = new GatedSync(this);
        var group = new DirectorySyncGroup(gated.Sync);
        long firstChange = Tick();
        var first = Task.Run(() => group.SyncAsync("/d", CancellationToken.None));
        gated.Started.Wait(s_wait).Should().BeTrue();

        var changes = new long[10];
        var joined = new Task[10];
        for (int i = 0; i < joined.Length; i++)
        {
            changes[i] = Tick();
            joined[i] = group.SyncAsync("/d", CancellationToken.None);
        }

        await Task.Delay(50);
        joined.Should().OnlyContain(t => !t.IsCompleted, "the sync in flight started before their changes");
        gated.Release.Set();
        await first.WaitAsync(s_wait);
        await Task.WhenAll(joined).WaitAsync(s_wait);

        group.SyncCount.Should().Be(2);
        gated.Syncs.Should().HaveCount(2);
        var second = gated.Syncs.OrderBy(s => s.Start).Last();
        second.Start.Should().BeGreaterThan(changes.Max());
        gated.Syncs.Should().Contain(s => s.Start > firstChange);
        group.ActiveDirectories.Should().Be(0);
    }

    [Test]
    public async Task SyncAsync_ManyConcurrentCallers_EachReturnsOnlyAfterASyncThatStartedAfterItsChange()
    {
        var syncs = new ConcurrentBag<(long Start, long End)>();
        var group = new DirectorySyncGroup(_ =>
        {
            long start = Tick();
            Thread.Sleep(1);
            syncs.Add((start, Tick()));
        });
        var calls = new ConcurrentBag<(long Change, long Done)>();

        // Dedicated threads, so the callers really overlap however few pool threads there are.
        var threads = Enumerable.Range(0, 8).Select(_ => new Thread(() =>
        {
            for (int i = 0; i < 40; i++)
            {
                long change = Tick();
                group.SyncAsync("/d", CancellationToken.None).Wait(s_wait).Should().BeTrue();
                calls.Add((change, Tick()));
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        await Task.Run(() => threads.ForEach(t => t.Join(s_wait).Should().BeTrue()));

        calls.Should().HaveCount(320);
        var all = syncs.ToArray();
        calls.Should().OnlyContain(c => all.Any(s => s.Start > c.Change && s.End < c.Done));
        group.SyncCount.Should().Be(all.Length).And.BeLessThan(320, "callers that overlap share syncs");
        group.ActiveDirectories.Should().Be(0);
    }

    [Test]
    public async Task SyncAsync_TheJoinedSyncFails_ErrorReachesEveryCallerThatJoinedIt()
    {
        var gated = new GatedSync(this) { FailFrom = 2 };
        var group = new DirectorySyncGroup(gated.Sync);
        var first = Task.Run(() => group.SyncAsync("/d", CancellationToken.None));
        gated.Started.Wait(s_wait).Should().BeTrue();
        var joined = Enumerable.Range(0, 5).Select(_ => group.SyncAsync("/d", CancellationToken.None)).ToArray();

        gated.Release.Set();
        await first.WaitAsync(s_wait);
        foreach (var task in joined)
        {
            await FluentActions.Awaiting(() => task.WaitAsync(s_wait)).Should().ThrowAsync<IOException>().WithMessage("disk gone");
        }

        group.SyncCount.Should().Be(2);
        group.ActiveDirectories.Should().Be(0);
        await FluentActions.Awaiting(() => group.SyncAsync("/d", CancellationToken.None)).Should().ThrowAsync<IOException>("a later call runs a sync of its own");
        group.SyncCount.Should().Be(3);
    }

    [Test]
    public async Task SyncAsync_WaiterCancelled_StopsWaitingWhileTheOthersGetTheirSync()
    {
        var gated = new GatedSync(this);
        var group = new DirectorySyncGroup(gated.Sync);
        var first = Task.Run(() => group.SyncAsync("/d", CancellationToken.None));
        gated.Started.Wait(s_wait).Should().BeTrue();
        using var cancel = new CancellationTokenSource();
        var cancelled = group.SyncAsync("/d", cancel.Token);
        var other = group.SyncAsync("/d", CancellationToken.None);

        await cancel.CancelAsync();
        await FluentActions.Awaiting(() => cancelled.WaitAsync(s_wait)).Should().ThrowAsync<OperationCanceledException>();
        other.IsCompleted.Should().BeFalse();
        gated.Release.Set();
        await Task.WhenAll(first, other).WaitAsync(s_wait);

        group.SyncCount.Should().Be(2);
        group.ActiveDirectories.Should().Be(0);
    }

    [Test]
    public async Task SyncAsync_AnotherDirectoryIsBeingSynced_SyncsAtOnce()
    {
        var gated = new GatedSync(this);
        var group = new DirectorySyncGroup(d =>
        {
            if (d == "/a")
            {
                gated.Sync(d);
            }
        });
        var first = Task.Run(() => group.SyncAsync("/a", CancellationToken.None));
        gated.Started.Wait(s_wait).Should().BeTrue();

        await group.SyncAsync("/b", CancellationToken.None).WaitAsync(s_wait);

        first.IsCompleted.Should().BeFalse();
        gated.Release.Set();
        await first.WaitAsync(s_wait);
        group.SyncCount.Should().Be(2);
    }

    private long Tick() => Interlocked.Increment(ref _clock);

    /// <summary>A sync whose first call blocks until released; calls from <see cref="FailFrom"/> on throw.</summary>
    private sealed class GatedSync(DirectorySyncGroupTests test)
    {
        private int _calls;

        public ManualResetEventSlim Started { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public ConcurrentBag<(long Start, long End)> Syncs { get; } = [];

        public int FailFrom { get; init; } = int.MaxValue;

        public void Sync(string directory)
        {
            long start = test.Tick();
            int call = Interlocked.Increment(ref _calls);
            if (call == 1)
            {
                Started.Set();
                Release.Wait(s_wait).Should().BeTrue();
            }

            Syncs.Add((start, test.Tick()));
            if (call >= FailFrom)
            {
                throw new IOException("disk gone");
            }
        }
    }
}
