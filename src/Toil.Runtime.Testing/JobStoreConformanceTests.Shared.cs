using System.Text;
using FluentAssertions;
using NUnit.Framework;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Testing;

/// <content>Shared files, stats/log messages and destruction.</content>
public abstract partial class JobStoreConformanceTests
{
    /// <summary>
    /// A shared file written on one instance is readable on both, exists, and is replaced whole by a second write
    /// (testSharedFiles, text-mode variant included).
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task WriteSharedFileAsync_Written_ReadableOnBothInstancesAndReplacedWhole()
    {
        const string Text = "foo — ünïcödé ✓";
        await Store.WriteSharedFileAsync("foo", Encoding.UTF8.GetBytes(Text), Cancellation).ConfigureAwait(false);
        var second = await OpenSecondStoreAsync().ConfigureAwait(false);

        (await ReadSharedTextAsync(second, "foo").ConfigureAwait(false)).Should().Be(Text);
        (await ReadSharedTextAsync(Store, "foo").ConfigureAwait(false)).Should().Be(Text);
        (await second.SharedFileExistsAsync("foo", Cancellation).ConfigureAwait(false)).Should().BeTrue();
        (await second.SharedFileExistsAsync("bar", Cancellation).ConfigureAwait(false)).Should().BeFalse();

        await second.WriteSharedFileAsync("foo", "x"u8.ToArray(), Cancellation).ConfigureAwait(false);
        (await ReadSharedTextAsync(Store, "foo").ConfigureAwait(false)).Should().Be("x", "a shorter write leaves nothing of the longer one");
    }

    /// <summary>Reading a shared file that does not exist throws <see cref="NoSuchFileException"/>.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task OpenReadSharedFileAsync_Missing_ThrowsNoSuchFile()
    {
        var act = async () => await Store.OpenReadSharedFileAsync("missing", Cancellation).ConfigureAwait(false);

        await act.Should().ThrowAsync<NoSuchFileException>().ConfigureAwait(false);
    }

    /// <summary>A shared-file write whose writer throws keeps the previous content (the replace is atomic).</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task WriteSharedFileAsync_WriterThrows_KeepsOldContent()
    {
        await Store.WriteSharedFileAsync("state", "old"u8.ToArray(), Cancellation).ConfigureAwait(false);
        var act = async () => await Store.WriteSharedFileAsync(
            "state",
            async (s, ct) =>
            {
                await s.WriteAsync("new content"u8.ToArray(), ct).ConfigureAwait(false);
                throw new InvalidDataException("writer failed");
            },
            Cancellation).ConfigureAwait(false);

        await act.Should().ThrowAsync<InvalidDataException>().ConfigureAwait(false);
        (await ReadSharedTextAsync(Store, "state").ConfigureAwait(false)).Should().Be("old");

        var fresh = async () => await Store.WriteSharedFileAsync(
            "never-written",
            (_, _) => throw new InvalidDataException("writer failed"),
            Cancellation).ConfigureAwait(false);
        await fresh.Should().ThrowAsync<InvalidDataException>().ConfigureAwait(false);
        (await Store.SharedFileExistsAsync("never-written", Cancellation).ConfigureAwait(false)).Should().BeFalse();
    }

    /// <summary>
    /// Shared-file names outside <c>^[A-Za-z0-9._-]+$</c> (or <c>.</c>, <c>..</c>) are refused with
    /// <see cref="InvalidJobStoreIdException"/> by every shared-file operation.
    /// </summary>
    /// <param name="name">The invalid name.</param>
    /// <returns>A task.</returns>
    [TestCase("../escape")]
    [TestCase("a/b")]
    [TestCase("/etc/passwd")]
    [TestCase("..")]
    [TestCase(".")]
    [TestCase("")]
    [TestCase("name with space")]
    [TestCase("new\nline")]
    public async Task SharedFileOperations_InvalidName_ThrowInvalidJobStoreId(string name)
    {
        var write = async () => await Store.WriteSharedFileAsync(name, "x"u8.ToArray(), Cancellation).ConfigureAwait(false);
        var read = async () => await Store.OpenReadSharedFileAsync(name, Cancellation).ConfigureAwait(false);
        var exists = async () => await Store.SharedFileExistsAsync(name, Cancellation).ConfigureAwait(false);

        await write.Should().ThrowAsync<InvalidJobStoreIdException>().ConfigureAwait(false);
        await read.Should().ThrowAsync<InvalidJobStoreIdException>().ConfigureAwait(false);
        await exists.Should().ThrowAsync<InvalidJobStoreIdException>().ConfigureAwait(false);
    }

    /// <summary>
    /// Stats/log messages: none gives 0; each message is delivered once and then archived; a 1 MiB message arrives
    /// whole; with read-all every message ever written is delivered again; messages written on one instance are read
    /// on another (testStatsAndLogging).
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task ReadLogsAsync_Messages_DeliveredOnceThenArchivedAndReadAllDeliversEverything()
    {
        var second = await OpenSecondStoreAsync().ConfigureAwait(false);
        List<byte[]> received = [];
        async ValueTask Collect(Stream s, CancellationToken ct)
        {
            using var buffer = new MemoryStream();
            await s.CopyToAsync(buffer, ct).ConfigureAwait(false);
            received.Add(buffer.ToArray());
        }

        (await Store.ReadLogsAsync(Collect, cancellationToken: Cancellation).ConfigureAwait(false)).Should().Be(0);

        await second.WriteLogsAsync("one", Cancellation).ConfigureAwait(false);
        (await Store.ReadLogsAsync(Collect, cancellationToken: Cancellation).ConfigureAwait(false)).Should().Be(1);
        received.Select(Encoding.UTF8.GetString).Should().Equal("one");
        (await second.ReadLogsAsync(Collect, cancellationToken: Cancellation).ConfigureAwait(false)).Should().Be(0, "a read message is archived");

        received.Clear();
        await Store.WriteLogsAsync("one", Cancellation).ConfigureAwait(false);
        await second.WriteLogsAsync("two", Cancellation).ConfigureAwait(false);
        (await Store.ReadLogsAsync(Collect, cancellationToken: Cancellation).ConfigureAwait(false)).Should().Be(2);
        received.Select(Encoding.UTF8.GetString).Should().BeEquivalentTo(["one", "two"]);

        byte[] big = new byte[1024 * 1024];
        new Random(3).NextBytes(big);
        received.Clear();
        await Store.WriteLogsAsync(big, Cancellation).ConfigureAwait(false);
        (await second.ReadLogsAsync(Collect, cancellationToken: Cancellation).ConfigureAwait(false)).Should().Be(1);
        received.Should().ContainSingle().Which.Should().Equal(big);

        received.Clear();
        (await Store.ReadLogsAsync(Collect, readAll: true, cancellationToken: Cancellation).ConfigureAwait(false)).Should().Be(4);
        received.Where(m => m.Length < 10).Select(Encoding.UTF8.GetString).Should().BeEquivalentTo(["one", "one", "two"]);
        (await Store.ReadLogsAsync(Collect, cancellationToken: Cancellation).ConfigureAwait(false)).Should().Be(0, "read-all leaves archived messages archived");
    }

    /// <summary>A message whose callback throws is not archived: the next read delivers it again (at-least-once delivery).</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task ReadLogsAsync_CallbackThrows_MessageIsDeliveredAgain()
    {
        await Store.WriteLogsAsync("precious", Cancellation).ConfigureAwait(false);
        var failing = async () => await Store.ReadLogsAsync((_, _) => throw new InvalidDataException("leader crashed"), cancellationToken: Cancellation).ConfigureAwait(false);

        await failing.Should().ThrowAsync<InvalidDataException>().ConfigureAwait(false);

        string? text = null;
        int count = await Store.ReadLogsAsync(
            async (s, ct) =>
            {
                using var reader = new StreamReader(s, Encoding.UTF8);
                text = await reader.ReadToEndAsync(ct).ConfigureAwait(false);
            },
            cancellationToken: Cancellation).ConfigureAwait(false);
        count.Should().Be(1);
        text.Should().Be("precious");
    }

    /// <summary>
    /// A message written through the streaming overload, in many pieces, is delivered whole, on every instance, in
    /// the order of the writes around it.
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task WriteLogsAsync_StreamWriter_DeliveredWholeInWriteOrder()
    {
        byte[] big = new byte[3 * 1024 * 1024];
        new Random(5).NextBytes(big);
        await Store.WriteLogsAsync("first", Cancellation).ConfigureAwait(false);
        await Store.WriteLogsAsync(
            async (s, ct) =>
            {
                for (int offset = 0; offset < big.Length; offset += 1000)
                {
                    await s.WriteAsync(big.AsMemory(offset, Math.Min(1000, big.Length - offset)), ct).ConfigureAwait(false);
                }
            },
            Cancellation).ConfigureAwait(false);
        await Store.WriteLogsAsync("last", Cancellation).ConfigureAwait(false);
        var second = await OpenSecondStoreAsync().ConfigureAwait(false);
        List<byte[]> received = [];

        int count = await second.ReadLogsAsync(
            async (s, ct) =>
            {
                using var buffer = new MemoryStream();
                await s.CopyToAsync(buffer, ct).ConfigureAwait(false);
                received.Add(buffer.ToArray());
            },
            cancellationToken: Cancellation).ConfigureAwait(false);

        count.Should().Be(3);
        Encoding.UTF8.GetString(received[0]).Should().Be("first");
        received[1].Should().Equal(big);
        Encoding.UTF8.GetString(received[2]).Should().Be("last");
    }

    /// <summary>A streamed message whose writer throws is not delivered, not even in part, and the exception propagates.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task WriteLogsAsync_StreamWriterThrows_NothingDelivered()
    {
        var act = async () => await Store.WriteLogsAsync(
            async (s, ct) =>
            {
                await s.WriteAsync(new byte[200_000], ct).ConfigureAwait(false);
                throw new InvalidDataException("writer failed");
            },
            Cancellation).ConfigureAwait(false);

        await act.Should().ThrowAsync<InvalidDataException>().ConfigureAwait(false);
        int count = await Store.ReadLogsAsync((_, _) => ValueTask.CompletedTask, readAll: true, cancellationToken: Cancellation).ConfigureAwait(false);
        count.Should().Be(0);
    }

    /// <summary>
    /// A callback that reads only part of a large message, in 4 KiB steps or not at all, does not block the reader
    /// (the deadlock Toil fixed in issue #1595).
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task ReadLogsAsync_CallbackReadsPartially_DoesNotBlock()
    {
        await Store.WriteLogsAsync(new byte[300_000], Cancellation).ConfigureAwait(false);
        await Store.WriteLogsAsync("second", Cancellation).ConfigureAwait(false);

        int count = await Store.ReadLogsAsync(
            async (s, ct) =>
            {
                byte[] chunk = new byte[4096];
                _ = await s.ReadAsync(chunk, ct).ConfigureAwait(false);
            },
            cancellationToken: Cancellation).AsTask().WaitAsync(TimeSpan.FromSeconds(45), Cancellation).ConfigureAwait(false);

        count.Should().Be(2);
    }

    /// <summary>
    /// Two readers draining the inbox at the same time, while a writer adds to it, together deliver every message at
    /// least once, and afterwards nothing is left unread.
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task ReadLogsAsync_ConcurrentReadersAndWriter_DeliverEveryMessageAtLeastOnce()
    {
        const int Messages = 60;
        var second = await OpenSecondStoreAsync().ConfigureAwait(false);
        var delivered = new System.Collections.Concurrent.ConcurrentBag<string>();
        async ValueTask Collect(Stream s, CancellationToken ct)
        {
            using var reader = new StreamReader(s, Encoding.UTF8);
            delivered.Add(await reader.ReadToEndAsync(ct).ConfigureAwait(false));
        }

        var writing = Task.Run(
            async () =>
            {
                for (int i = 0; i < Messages; i++)
                {
                    await (i % 2 == 0 ? Store : second).WriteLogsAsync($"message-{i}", Cancellation).ConfigureAwait(false);
                }
            },
            Cancellation);
        async Task DrainAsync(IJobStore store)
        {
            while (!writing.IsCompleted)
            {
                await store.ReadLogsAsync(Collect, cancellationToken: Cancellation).ConfigureAwait(false);
                await Task.Yield();
            }
        }

        await Task.WhenAll(writing, Task.Run(() => DrainAsync(Store), Cancellation), Task.Run(() => DrainAsync(second), Cancellation)).ConfigureAwait(false);
        await Store.ReadLogsAsync(Collect, cancellationToken: Cancellation).ConfigureAwait(false);

        delivered.Distinct().Should().BeEquivalentTo(Enumerable.Range(0, Messages).Select(i => $"message-{i}"));
        (await second.ReadLogsAsync(Collect, cancellationToken: Cancellation).ConfigureAwait(false)).Should().Be(0);
    }

    /// <summary>
    /// Destroying is idempotent: twice on the same instance, and on a second instance of storage already destroyed
    /// (testDestructionIdempotence).
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task DestroyAsync_RepeatedAndOnSecondInstance_Succeeds()
    {
        await CreateAsync(NewJob()).ConfigureAwait(false);
        await WriteTextAsync(Store, "content").ConfigureAwait(false);
        await Store.WriteSharedFileAsync("shared", "x"u8.ToArray(), Cancellation).ConfigureAwait(false);
        var second = await OpenSecondStoreAsync().ConfigureAwait(false);

        await Store.DestroyAsync(Cancellation).ConfigureAwait(false);
        await Store.DestroyAsync(Cancellation).ConfigureAwait(false);
        var act = async () => await second.DestroyAsync(Cancellation).ConfigureAwait(false);

        await act.Should().NotThrowAsync().ConfigureAwait(false);
    }
}
