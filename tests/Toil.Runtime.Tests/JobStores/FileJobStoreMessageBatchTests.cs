using System.Collections.Concurrent;
using System.Text;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Tests.JobStores;

/// <summary>
/// Small stats and log messages written concurrently to one store share a durable write, one batch file
/// (<c>docs/decisions.md#message-batches</c>): every message is delivered exactly once per read, in write order, and a
/// batch is delivered whole or not at all.
/// </summary>
[CancelAfter(60_000)]
public sealed class FileJobStoreMessageBatchTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    private FileJobStoreTestDirectory _t = null!;

    [SetUp]
    public void SetUp() => _t = new FileJobStoreTestDirectory();

    [TearDown]
    public void TearDown() => _t.Dispose();

    [Test]
    public async Task WriteAsync_WritersArriveWhileAWriteIsInFlight_ShareTheNextWriteInOrder()
    {
        using var started = new SemaphoreSlim(0);
        using var release = new ManualResetEventSlim();
        var writes = new ConcurrentQueue<string[]>();
        var group = new FileJobStoreMessageGroup(async messages =>
        {
            writes.Enqueue(messages.Select(m => Encoding.UTF8.GetString(m.Span)).ToArray());
            started.Release();
            await Task.Run(() => release.Wait(s_wait));
        });

        var first = Task.Run(async () => await group.WriteAsync("first"u8.ToArray(), CancellationToken.None));
        (await started.WaitAsync(s_wait)).Should().BeTrue();
        var joined = Enumerable.Range(0, 10).Select(i => group.WriteAsync(Encoding.UTF8.GetBytes($"m{i}"), CancellationToken.None).AsTask()).ToArray();
        await Task.Delay(50);
        joined.Should().OnlyContain(t => !t.IsCompleted, "their messages wait for the write after the one in flight");

        release.Set();
        await first.WaitAsync(s_wait);
        await Task.WhenAll(joined).WaitAsync(s_wait);

        group.WriteCount.Should().Be(2);
        writes.Should().HaveCount(2);
        writes.First().Should().Equal("first");
        writes.Last().Should().Equal(Enumerable.Range(0, 10).Select(i => $"m{i}"));
    }

    [Test]
    public async Task WriteAsync_TheSharedWriteFails_ErrorReachesEveryWriterOfThatBatchOnly()
    {
        using var started = new SemaphoreSlim(0);
        using var release = new ManualResetEventSlim();
        int calls = 0;
        var group = new FileJobStoreMessageGroup(async messages =>
        {
            int call = Interlocked.Increment(ref calls);
            started.Release();
            await Task.Run(() => release.Wait(s_wait));
            if (call == 2)
            {
                throw new IOException("EIO: input/output error");
            }
        });

        var first = group.WriteAsync("first"u8.ToArray(), CancellationToken.None).AsTask();
        (await started.WaitAsync(s_wait)).Should().BeTrue();
        var joined = Enumerable.Range(0, 3).Select(i => group.WriteAsync(Encoding.UTF8.GetBytes($"m{i}"), CancellationToken.None).AsTask()).ToArray();
        release.Set();

        await first.WaitAsync(s_wait);
        foreach (var writer in joined)
        {
            var act = async () => await writer.WaitAsync(s_wait);
            await act.Should().ThrowAsync<IOException>();
        }

        // The group recovers: a later message gets a write of its own.
        await group.WriteAsync("later"u8.ToArray(), CancellationToken.None).AsTask().WaitAsync(s_wait);
        calls.Should().Be(3);
    }

    [Test]
    public void Decode_EncodedMessages_RoundTripIncludingEmptyOnes()
    {
        ReadOnlyMemory<byte>[] messages = ["one"u8.ToArray(), Array.Empty<byte>(), new byte[70_000], "{\"x\":1}"u8.ToArray()];

        var decoded = FileJobStoreMessageGroup.Decode(FileJobStoreMessageGroup.Encode(messages));

        decoded.Select(m => m.ToArray()).Should().BeEquivalentTo(messages.Select(m => m.ToArray()), o => o.WithStrictOrdering());
    }

    [Test]
    public void Decode_DamagedBatch_KeepsTheMessagesBeforeTheDamageAndReturnsTheRestAsOneMessage()
    {
        byte[] batch = FileJobStoreMessageGroup.Encode(["one"u8.ToArray(), "two"u8.ToArray()]);
        byte[] cut = batch.AsSpan(0, batch.Length - 1).ToArray();

        var decoded = FileJobStoreMessageGroup.Decode(cut);

        decoded.Should().HaveCount(2);
        Encoding.UTF8.GetString(decoded[0].Span).Should().Be("one");
        decoded[1].Length.Should().Be(4 + 2, "the damaged tail (its length and what is left of it) is delivered, not dropped");
    }

    [Test]
    public async Task WriteLogsAsync_ConcurrentSmallMessages_OneBatchFileEachDeliveredExactlyOnceInOrder()
    {
        var gate = new FirstWriteGate();
        await using var store = await _t.CreateAsync(o => o.FaultInjector = gate.InjectAsync);
        var first = Task.Run(async () => await store.WriteLogsAsync("first", CancellationToken.None));
        (await gate.Started.WaitAsync(s_wait)).Should().BeTrue();
        var joined = Enumerable.Range(0, 10).Select(i => store.WriteLogsAsync($"m{i}", CancellationToken.None).AsTask()).ToArray();
        await Task.Delay(50);
        gate.Release.Set();
        await first.WaitAsync(s_wait);
        await Task.WhenAll(joined).WaitAsync(s_wait);

        string inbox = Path.Join(store.RootPath, "stats", "inbox");
        Directory.GetFiles(inbox).Select(Path.GetFileName).Should().HaveCount(2)
            .And.ContainSingle(n => n!.EndsWith(".batch", StringComparison.Ordinal));
        store.MessageWrites.Should().Be(2);

        var delivered = new List<string>();
        int count = await store.ReadLogsAsync(async (s, ct) => delivered.Add(await new StreamReader(s).ReadToEndAsync(ct)));

        count.Should().Be(11);
        delivered.Should().Equal(new[] { "first" }.Concat(Enumerable.Range(0, 10).Select(i => $"m{i}")));
        Directory.GetFiles(inbox).Should().BeEmpty();
        (await store.ReadLogsAsync((_, _) => ValueTask.CompletedTask)).Should().Be(0, "a delivered batch is archived");
        (await store.ReadLogsAsync((_, _) => ValueTask.CompletedTask, readAll: true)).Should().Be(11, "read-all delivers each archived message");
    }

    [Test]
    public async Task WriteLogsAsync_ManyConcurrentWriters_EveryMessageDeliveredExactlyOnceEachWritersInOrder()
    {
        await using var store = await _t.CreateAsync();
        var threads = Enumerable.Range(0, 8).Select(w => new Thread(() =>
        {
            for (int i = 0; i < 25; i++)
            {
                store.WriteLogsAsync($"w{w}-{i:D2}").AsTask().Wait(s_wait).Should().BeTrue();
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        await Task.Run(() => threads.ForEach(t => t.Join(s_wait).Should().BeTrue()));

        var delivered = new List<string>();
        int count = await store.ReadLogsAsync(async (s, ct) => delivered.Add(await new StreamReader(s).ReadToEndAsync(ct)));

        count.Should().Be(200);
        delivered.Should().OnlyHaveUniqueItems().And.HaveCount(200);
        for (int w = 0; w < 8; w++)
        {
            delivered.Where(m => m.StartsWith($"w{w}-", StringComparison.Ordinal)).Should().Equal(Enumerable.Range(0, 25).Select(i => $"w{w}-{i:D2}"), "one writer's messages keep their order");
        }

        store.MessageWrites.Should().BeLessThanOrEqualTo(200);
        (await store.ReadLogsAsync((_, _) => ValueTask.CompletedTask)).Should().Be(0);
    }

    [Test]
    public async Task ReadLogsAsync_CallbackThrowsPartWayThroughABatch_TheWholeBatchIsDeliveredAgain()
    {
        var gate = new FirstWriteGate();
        await using var store = await _t.CreateAsync(o => o.FaultInjector = gate.InjectAsync);
        var first = Task.Run(async () => await store.WriteLogsAsync("first", CancellationToken.None));
        (await gate.Started.WaitAsync(s_wait)).Should().BeTrue();
        var joined = Enumerable.Range(0, 3).Select(i => store.WriteLogsAsync($"m{i}", CancellationToken.None).AsTask()).ToArray();
        await Task.Delay(50);
        gate.Release.Set();
        await Task.WhenAll(joined.Append(first)).WaitAsync(s_wait);

        int seen = 0;
        var failing = async () => await store.ReadLogsAsync((_, _) => ++seen == 3 ? throw new InvalidDataException("leader killed") : ValueTask.CompletedTask);
        await failing.Should().ThrowAsync<InvalidDataException>();

        var delivered = new List<string>();
        int count = await store.ReadLogsAsync(async (s, ct) => delivered.Add(await new StreamReader(s).ReadToEndAsync(ct)));
        count.Should().Be(3, "the plain message was archived; the batch was not, so all of it comes again");
        delivered.Should().Equal("m0", "m1", "m2");
    }

    [Test]
    public async Task WriteLogsAsync_TheBatchsRenameFails_EveryWriterSeesTheErrorAndNothingIsDelivered()
    {
        var gate = new FirstWriteGate { FailRenamesAfterFirst = true };
        await using var store = await _t.CreateAsync(o =>
        {
            o.FaultInjector = gate.InjectAsync;
            o.TransientRetryAttempts = 0;
        });
        var first = Task.Run(async () => await store.WriteLogsAsync("first", CancellationToken.None));
        (await gate.Started.WaitAsync(s_wait)).Should().BeTrue();
        var joined = Enumerable.Range(0, 3).Select(i => store.WriteLogsAsync($"m{i}", CancellationToken.None).AsTask()).ToArray();
        await Task.Delay(50);
        gate.Release.Set();
        await first.WaitAsync(s_wait);
        foreach (var writer in joined)
        {
            var act = async () => await writer.WaitAsync(s_wait);
            await act.Should().ThrowAsync<IOException>();
        }

        var delivered = new List<string>();
        (await store.ReadLogsAsync(async (s, ct) => delivered.Add(await new StreamReader(s).ReadToEndAsync(ct)))).Should().Be(1);
        delivered.Should().Equal("first");
        Directory.GetFiles(Path.Join(store.RootPath, "stats", "inbox"), "*.tmp").Should().BeEmpty("the failed batch's temp file is removed");
    }

    [Test]
    public async Task WriteLogsAsync_LargeMessage_IsWrittenAloneAsAPlainMessageFile()
    {
        await using var store = await _t.CreateAsync();
        byte[] big = new byte[FileJobStoreMessageGroup.MaxGroupedBytes + 1];
        new Random(7).NextBytes(big);

        await store.WriteLogsAsync(big);

        store.MessageWrites.Should().Be(0);
        Directory.GetFiles(Path.Join(store.RootPath, "stats", "inbox")).Should().ContainSingle().Which.Should().NotEndWith(".batch");
        byte[]? read = null;
        await store.ReadLogsAsync(async (s, ct) =>
        {
            using var buffer = new MemoryStream();
            await s.CopyToAsync(buffer, ct);
            read = buffer.ToArray();
        });
        read.Should().Equal(big);
    }

    /// <summary>Holds the first message write at its temp file until released; optionally fails every later rename.</summary>
    private sealed class FirstWriteGate
    {
        private int _writes;

        public SemaphoreSlim Started { get; } = new(0);

        public ManualResetEventSlim Release { get; } = new();

        public bool FailRenamesAfterFirst { get; init; }

        public async ValueTask InjectAsync(string step)
        {
            if (step == "write-temp" && Interlocked.Increment(ref _writes) == 1)
            {
                Started.Release();
                await Task.Run(() => Release.Wait(s_wait));
            }
            else if (step == "rename" && FailRenamesAfterFirst && Volatile.Read(ref _writes) > 1)
            {
                throw new IOException("EIO: input/output error");
            }
        }
    }
}
