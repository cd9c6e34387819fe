using System.Buffers;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Toil.Runtime.Logging;

namespace Toil.Runtime.Worker;

/// <summary>
/// The worker log, <c>&lt;tmp&gt;/worker_log.txt</c> (docs/decisions.md#log-capture): the run's log entries and the output of child processes
/// started through the job context, written under one lock. On Unix the file is opened with <c>O_APPEND</c>, so in
/// process mode descriptors 1 and 2, redirected onto it, interleave with it without overwriting each other.
/// </summary>
/// <remarks>
/// An in-process run's log (<see cref="InMemory"/>) starts in memory: no file is made unless the log outgrows
/// <see cref="MemoryLimit"/> (then the file is made, everything so far written into it, and the log goes on there) or the
/// run keeps its directory (<see cref="KeepInDirectory"/>). Either way the bytes and their order are those the file
/// would have held, so <see cref="ReadKeptAsync"/> returns what the log-size policy keeps of the file, byte for byte.
/// </remarks>
internal sealed class WorkerLogFile : IDisposable
{
    /// <summary>How large an in-memory log may grow before it moves into its file: bounds a run's memory.</summary>
    public const int MemoryLimit = 1024 * 1024;

    private const int MaxHeldCopy = 16 * 1024;
    private const int ChunkSize = 16 * 1024;
    private static readonly UTF8Encoding Utf8 = new(false);
    private readonly TextWriter _writer;
    private FileStream? _stream;
    private int _disposed;
    private CachedTimestamp? _timestamp;

    // An in-memory log (no _stream yet): its bytes in chunks rented from the shared pool (a long chain's log is not copied
    // as it grows, and a finished run's chunks serve the next run), how many bytes the last chunk holds, and the total;
    // guarded by _writer. Null once the log is in its file.
    private List<byte[]>? _chunks;
    private int _tail;
    private int _memoryLength;
    private bool _released;

    // Before an in-memory log's file is made (outgrown, or kept): makes its directory, which a run makes only when needed.
    private Action? _ensureDirectory;

    // A line held back to go out with the next write (WriteEntry with hold): its bytes, and how many of them; guarded by _writer.
    private byte[] _held = [];
    private int _heldCount;

    private WorkerLogFile(string path, FileStream? stream, int descriptor)
    {
        Path = path;
        Descriptor = descriptor;
        _stream = stream;
        if (stream is null)
        {
            _chunks = [];
        }

        // Child output reaches the file through a stream that puts a held line first, so the file's order is the calls' order.
        _writer = TextWriter.Synchronized(new StreamWriter(new HeldLineFirstStream(this), Utf8, 4096, leaveOpen: true) { AutoFlush = true });
    }

    public const string FileName = "worker_log.txt";

    public string Path { get; }

    /// <summary>The OS descriptor (Unix), or -1.</summary>
    public int Descriptor { get; }

    /// <summary>Receives child-process output; thread-safe; every write reaches the file at once.</summary>
    public TextWriter ChildOutput => _writer;

    /// <summary>Whether a line is held back (<see cref="WriteEntry"/> with <c>hold</c>) and not yet in the file.</summary>
    public bool HasHeldLine
    {
        get
        {
            lock (_writer)
            {
                return _heldCount > 0;
            }
        }
    }

    /// <summary>Whether the log is still in memory (<see cref="InMemory"/>, not yet moved into its file).</summary>
    public bool IsInMemory
    {
        get
        {
            lock (_writer)
            {
                return _chunks is not null;
            }
        }
    }

    /// <summary>Opens (or creates) the log file for appending: the process-mode log, whose descriptor 1 and 2 are redirected onto it.</summary>
    public static WorkerLogFile Open(string path)
    {
        var (stream, fd) = OpenStream(path);
        return new WorkerLogFile(path, stream, fd);
    }

    /// <summary>
    /// An in-process run's log: kept in memory, and made into the file at <paramref name="path"/> only when it outgrows
    /// <see cref="MemoryLimit"/> or the run keeps its directory (<see cref="KeepInDirectory"/>). No descriptor
    /// (<see cref="Descriptor"/> is -1): nothing outside the process writes into it.
    /// </summary>
    /// <param name="path">Where the file goes if it is made.</param>
    /// <param name="ensureDirectory">Makes the file's directory (a run's lazily made one) before the file is made, or <see langword="null"/>.</param>
    public static WorkerLogFile InMemory(string path, Action? ensureDirectory = null) => new(path, stream: null, descriptor: -1) { _ensureDirectory = ensureDirectory };

    private (FileStream Stream, int Descriptor) OpenMovedStream()
    {
        _ensureDirectory?.Invoke();
        return OpenStream(Path);
    }

    private static (FileStream Stream, int Descriptor) OpenStream(string path)
    {
        if (UnixFileDescriptors.IsSupported)
        {
            int fd = UnixFileDescriptors.OpenAppend(path);
            var handle = new SafeFileHandle(fd, ownsHandle: true);
            return (new FileStream(handle, FileAccess.Write, bufferSize: 0), fd);
        }

        return (new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete), -1);
    }

    /// <summary>
    /// What the log-size policy keeps of the log (<see cref="LogTruncation"/>): the same bytes
    /// <see cref="LogTruncation.ReadTruncatedAsync"/> reads from the file, whether the log is in memory or in its file.
    /// </summary>
    /// <param name="limit">The policy (<see cref="WorkerOptions.MaxLogFileSize"/>).</param>
    /// <param name="cancellationToken">Cancels the read of a file.</param>
    /// <returns>The kept bytes.</returns>
    public async Task<byte[]> ReadKeptAsync(long limit, CancellationToken cancellationToken = default)
    {
        lock (_writer)
        {
            if (_chunks is not null)
            {
                ObjectDisposedException.ThrowIf(_released, this);
                ReleaseHeldUnderLock();
                byte[] whole = new byte[_memoryLength];
                int at = 0;
                foreach (var (chunk, count) in Chunks())
                {
                    chunk.AsSpan(0, count).CopyTo(whole.AsSpan(at));
                    at += count;
                }

                ReadOnlySpan<byte> kept = LogTruncation.Truncate(whole, limit);
                return kept.Length == whole.Length ? whole : kept.ToArray();
            }
        }

        return await LogTruncation.ReadTruncatedAsync(Path, limit, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes an in-memory log into its file (<see cref="Path"/>), for a run whose directory is kept for inspection; a
    /// log already in its file stays as it is. A failure is the caller's to log: the log is diagnostics, not state.
    /// </summary>
    public void KeepInDirectory()
    {
        lock (_writer)
        {
            if (_chunks is not null)
            {
                ObjectDisposedException.ThrowIf(_released, this);
                ReleaseHeldUnderLock();
                var (file, _) = OpenMovedStream();
                using (file)
                {
                    WriteChunks(file);
                }
            }
        }
    }

    /// <summary>Writes one entry as Toil's log line (<see cref="WriteEntry"/>, not held back).</summary>
    public void Write(TimeProvider time, LogLevel level, string category, string message, Exception? exception) =>
        WriteEntry(time, level, category, message, string.Empty, exception, hold: false);

    /// <summary>Writes a held line, if there is one, on its own.</summary>
    public void ReleaseHeld()
    {
        lock (_writer)
        {
            if (Volatile.Read(ref _disposed) == 0)
            {
                ReleaseHeldUnderLock();
            }
        }
    }

    private void ReleaseHeldUnderLock()
    {
        if (_heldCount > 0)
        {
            WriteThroughHeld([]);
        }
    }

    /// <summary>
    /// Writes one entry as Toil's log line (<see cref="ToilLogFormat"/>, timestamped in the clock's local time zone) whose
    /// message is <paramref name="message"/> followed by <paramref name="messageTail"/>. A line held back before goes out
    /// first, in the same write.
    /// </summary>
    /// <param name="time">The clock.</param>
    /// <param name="level">The entry's level.</param>
    /// <param name="category">The logger's category.</param>
    /// <param name="message">The message.</param>
    /// <param name="messageTail">Text that follows the message (empty for none).</param>
    /// <param name="exception">An exception written after the line, or <see langword="null"/>.</param>
    /// <param name="hold">
    /// Whether the entry, formatted the same (same bytes, same timestamp), is held back: it reaches the file with
    /// the next write of any kind (a line, child output), at <see cref="ReleaseHeld"/>, <see cref="Flush"/> or
    /// <see cref="Dispose"/>, ahead of whatever is written then. A worker holds the line that opens a job, which the line
    /// that closes the job's body then carries to the file in one write (docs/decisions.md#log-capture).
    /// </param>
    public void WriteEntry(TimeProvider time, LogLevel level, string category, string message, string messageTail, Exception? exception, bool hold)
    {
        string? exceptionText = exception?.ToString();
        string timestamp = Timestamp(time);
        string thread = ThreadNames.Current();
        string newLine = _writer.NewLine;

        // The line is built in a rented buffer, encoded once into another and written with one call under the child
        // output's lock (its writer flushes per call, so nothing of it is pending), so it reaches the file in one
        // write and nothing but the buffers' rent is paid per line.
        int length = timestamp.Length + Math.Max(thread.Length, 10) + category.Length + message.Length + messageTail.Length +
                     (exceptionText is null ? 0 : exceptionText.Length + 1) + newLine.Length + 16;
        char[] buffer = ArrayPool<char>.Shared.Rent(length);
        byte[]? bytes = null;
        try
        {
            var line = new LineBuilder(buffer);
            line.Append('[');
            line.Append(timestamp);
            line.Append("] [");
            line.Append(thread);
            line.Pad(10 - thread.Length);
            line.Append("] [");
            line.Append(ToilLogLevel.GetName(level)[0]);
            line.Append("] [");
            line.Append(category);
            line.Append("] ");
            line.Append(message);
            line.Append(messageTail);
            if (exceptionText is not null)
            {
                line.Append('\n');
                line.Append(exceptionText);
            }

            line.Append(newLine);
            bytes = ArrayPool<byte>.Shared.Rent(Utf8.GetMaxByteCount(line.Length));
            int count = Utf8.GetBytes(buffer, 0, line.Length, bytes, 0);

            // TextWriter.Synchronized's writer locks itself in every call.
            lock (_writer)
            {
                ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

                // In memory a write is a copy: nothing to save by holding a line (docs/decisions.md#log-capture).
                if (hold && _chunks is null)
                {
                    Hold(bytes.AsSpan(0, count));
                }
                else
                {
                    WriteThroughHeld(bytes.AsSpan(0, count));
                }
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
            if (bytes is not null)
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }
        }
    }

    /// <summary>Appends <paramref name="line"/> to the held bytes (a line already held stays first). Under the lock.</summary>
    private void Hold(ReadOnlySpan<byte> line)
    {
        if (_held.Length < _heldCount + line.Length)
        {
            Array.Resize(ref _held, Math.Max(_heldCount + line.Length, Math.Min(2 * _held.Length, 1 << 16)));
        }

        line.CopyTo(_held.AsSpan(_heldCount));
        _heldCount += line.Length;
    }

    /// <summary>Writes the held bytes and then <paramref name="data"/>, in one write when a line is held. Under the lock.</summary>
    private void WriteThroughHeld(ReadOnlySpan<byte> data)
    {
        if (_heldCount == 0)
        {
            if (!data.IsEmpty)
            {
                Emit(data);
            }

            return;
        }

        // Large child output is not copied behind the held line: the two go out in order, in two writes.
        bool apart = data.Length > MaxHeldCopy;
        if (!apart)
        {
            Hold(data);
        }

        int count = _heldCount;
        _heldCount = 0;
        Emit(_held.AsSpan(0, count));
        if (apart)
        {
            Emit(data);
        }
    }

    /// <summary>Appends bytes to the log: to memory while it fits, else to the file (made now, with the memory's bytes first). Under the lock.</summary>
    private void Emit(ReadOnlySpan<byte> data)
    {
        if (_chunks is { } chunks)
        {
            if ((long)_memoryLength + data.Length <= MemoryLimit)
            {
                while (!data.IsEmpty)
                {
                    if (chunks.Count == 0 || _tail == ChunkSize)
                    {
                        chunks.Add(ArrayPool<byte>.Shared.Rent(ChunkSize));
                        _tail = 0;
                    }

                    int n = Math.Min(data.Length, ChunkSize - _tail);
                    data[..n].CopyTo(chunks[^1].AsSpan(_tail));
                    _tail += n;
                    _memoryLength += n;
                    data = data[n..];
                }

                return;
            }

            // Outgrown: the log moves into its file, in order, and goes on there.
            var (stream, _) = OpenMovedStream();
            WriteChunks(stream);
            _stream = stream;
            ReturnChunks();
            _chunks = null;
        }

        _stream!.Write(data);
    }

    /// <summary>The in-memory chunks and how many bytes of each are used. Under the lock.</summary>
    private IEnumerable<(byte[] Chunk, int Count)> Chunks()
    {
        for (int i = 0; i < _chunks!.Count; i++)
        {
            yield return (_chunks[i], i == _chunks.Count - 1 ? _tail : ChunkSize);
        }
    }

    private void WriteChunks(Stream stream)
    {
        foreach (var (chunk, count) in Chunks())
        {
            stream.Write(chunk, 0, count);
        }
    }

    private void ReturnChunks()
    {
        foreach (byte[] chunk in _chunks!)
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        _chunks.Clear();
        _tail = 0;
        _memoryLength = 0;
    }

    /// <summary>
    /// Closes the log (as <see cref="Dispose"/>) and gives an in-memory log's memory back: the last call on a log, once
    /// the run read what it keeps (<see cref="ReadKeptAsync"/>, <see cref="KeepInDirectory"/>).
    /// </summary>
    public void ReleaseMemory()
    {
        Dispose();
        lock (_writer)
        {
            if (_chunks is not null && !_released)
            {
                _released = true;
                ReturnChunks();
            }
        }
    }

    public void Flush()
    {
        ReleaseHeld();
        _writer.Flush();
        lock (_writer)
        {
            _stream?.Flush(flushToDisk: true);
        }
    }

    /// <summary>The timestamp text, formatted once per second of the clock (the offset cannot change within one).</summary>
    private string Timestamp(TimeProvider time)
    {
        DateTimeOffset utc = time.GetUtcNow();
        long second = utc.UtcTicks / TimeSpan.TicksPerSecond;
        TimeZoneInfo zone = time.LocalTimeZone;
        CachedTimestamp? cached = Volatile.Read(ref _timestamp);
        if (cached is not null && cached.Second == second && ReferenceEquals(cached.Zone, zone))
        {
            return cached.Text;
        }

        string text = ToilLogFormat.FormatTimestamp(TimeZoneInfo.ConvertTime(utc, zone));
        Volatile.Write(ref _timestamp, new CachedTimestamp(second, zone, text));
        return text;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            lock (_writer)
            {
                WriteThroughHeld([]);
            }

            _writer.Flush();
        }
        catch (IOException)
        {
        }

        // An in-memory log's bytes stay readable (ReadKeptAsync, KeepInDirectory) after the run stopped writing.
        _writer.Dispose();
        _stream?.Dispose();
    }

    /// <summary>The child output's way to the file: every write takes a held line with it, ahead of its own bytes.</summary>
    private sealed class HeldLineFirstStream(WorkerLogFile owner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            lock (owner._writer)
            {
                owner.WriteThroughHeld(buffer);
            }
        }

        public override void Flush()
        {
            // The writer's constructor flushes (AutoFlush) before the owner holds it: nothing is written yet then.
            if (owner._writer is not { } writer)
            {
                return;
            }

            lock (writer)
            {
                owner._stream?.Flush();
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }

    private sealed record CachedTimestamp(long Second, TimeZoneInfo Zone, string Text);

    private ref struct LineBuilder(char[] buffer)
    {
        private readonly Span<char> _buffer = buffer;

        public int Length { get; private set; }

        public void Append(char c) => _buffer[Length++] = c;

        public void Append(string text)
        {
            text.CopyTo(_buffer[Length..]);
            Length += text.Length;
        }

        public void Pad(int count)
        {
            if (count > 0)
            {
                _buffer.Slice(Length, count).Fill(' ');
                Length += count;
            }
        }
    }
}
