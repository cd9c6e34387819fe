using System.Buffers.Binary;

namespace Toil.Runtime.JobStores;

/// <summary>
/// A group commit of small stats and log messages (<c>docs/decisions.md#message-batches</c>): writers of one
/// <see cref="FileJobStore"/> instance that send a message while another message is being written share the next
/// durable write, one file in <c>stats/inbox/</c> holding all of them (a <em>batch</em>,
/// <c>docs/job-store-format.md</c>). A call returns only after the file holding its message is published and its
/// directory synced, as a write of its own would: durability is unchanged, and a batch is delivered whole or not at all.
/// </summary>
/// <remarks>
/// <para>The first writer of an idle group writes its own message on its own thread (a single message is written as
/// before, one plain message file). Messages that arrive while a write is in flight wait for the next one, which starts
/// when the current one ends, on the thread pool, and takes every message waiting then (up to
/// <see cref="MaxBatchBytes"/>). A write's error reaches every writer whose message it held; a writer's cancellation
/// stops its own wait (its message may still be written, as a cancelled write of its own may have been), never the
/// write others wait for.</para>
/// </remarks>
internal sealed class FileJobStoreMessageGroup
{
    /// <summary>The largest message that is grouped; a larger one is written alone, as before.</summary>
    public const int MaxGroupedBytes = 64 * 1024;

    /// <summary>A batch is cut once it holds this many bytes of messages; the rest wait for the next write.</summary>
    public const int MaxBatchBytes = 1024 * 1024;

    /// <summary>The first bytes of a batch file.</summary>
    internal static ReadOnlySpan<byte> Magic => "toil-messages-1\n"u8;

    private readonly Func<IReadOnlyList<ReadOnlyMemory<byte>>, ValueTask> _write;
    private readonly Lock _gate = new();
    private readonly List<(ReadOnlyMemory<byte> Message, TaskCompletionSource Written)> _pending = [];
    private bool _writing;
    private long _writes;

    /// <summary>Creates a group that writes a batch with <paramref name="write"/>.</summary>
    /// <param name="write">Writes one or more messages durably (one message: a plain message file; more: a batch).</param>
    public FileJobStoreMessageGroup(Func<IReadOnlyList<ReadOnlyMemory<byte>>, ValueTask> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        _write = write;
    }

    /// <summary>How many durable writes the group has started (a test and benchmark seam).</summary>
    public long WriteCount => Interlocked.Read(ref _writes);

    /// <summary>Returns once <paramref name="message"/> is durable in the inbox, alone or in a batch.</summary>
    /// <exception cref="IOException">The write that held the message failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool write;
        lock (_gate)
        {
            _pending.Add((message, written));
            write = !_writing;
            _writing = true;
        }

        if (write)
        {
            await WriteNextAsync().ConfigureAwait(false);
        }

        await written.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Encodes <paramref name="messages"/> as one batch: <see cref="Magic"/>, then each message as its length (4 bytes, little-endian) and its bytes.</summary>
    public static byte[] Encode(IReadOnlyList<ReadOnlyMemory<byte>> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        int length = Magic.Length;
        foreach (var message in messages)
        {
            length += sizeof(int) + message.Length;
        }

        byte[] batch = new byte[length];
        Magic.CopyTo(batch);
        int offset = Magic.Length;
        foreach (var message in messages)
        {
            BinaryPrimitives.WriteInt32LittleEndian(batch.AsSpan(offset), message.Length);
            offset += sizeof(int);
            message.Span.CopyTo(batch.AsSpan(offset));
            offset += message.Length;
        }

        return batch;
    }

    /// <summary>
    /// The messages of a batch file. Bytes that do not parse (a batch damaged on disk) are returned as one last message,
    /// so nothing is dropped unseen: the reader's callback sees them as it would a damaged message file.
    /// </summary>
    public static List<ReadOnlyMemory<byte>> Decode(ReadOnlyMemory<byte> batch)
    {
        var messages = new List<ReadOnlyMemory<byte>>();
        if (!batch.Span.StartsWith(Magic))
        {
            messages.Add(batch);
            return messages;
        }

        int offset = Magic.Length;
        while (offset < batch.Length)
        {
            int length = batch.Length - offset >= sizeof(int) ? BinaryPrimitives.ReadInt32LittleEndian(batch.Span[offset..]) : -1;
            if (length < 0 || length > batch.Length - offset - sizeof(int))
            {
                messages.Add(batch[offset..]);
                break;
            }

            messages.Add(batch.Slice(offset + sizeof(int), length));
            offset += sizeof(int) + length;
        }

        return messages;
    }

    /// <summary>Writes the messages waiting now (up to <see cref="MaxBatchBytes"/>, at least one); then hands the rest, if any, to the thread pool. Never throws.</summary>
    private async Task WriteNextAsync()
    {
        var messages = new List<ReadOnlyMemory<byte>>();
        var writers = new List<TaskCompletionSource>();
        lock (_gate)
        {
            long bytes = 0;
            int take = 0;
            while (take < _pending.Count && (take == 0 || bytes + _pending[take].Message.Length <= MaxBatchBytes))
            {
                bytes += _pending[take].Message.Length;
                messages.Add(_pending[take].Message);
                writers.Add(_pending[take].Written);
                take++;
            }

            _pending.RemoveRange(0, take);
        }

        Interlocked.Increment(ref _writes);
        Exception? error = null;
        try
        {
            await _write(messages).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            error = e;
        }

        foreach (var writer in writers)
        {
            if (error is null)
            {
                writer.SetResult();
            }
            else
            {
                writer.SetException(error);
            }
        }

        bool more;
        lock (_gate)
        {
            more = _pending.Count > 0;
            _writing = more;
        }

        if (more)
        {
            _ = Task.Run(WriteNextAsync);
        }
    }
}
