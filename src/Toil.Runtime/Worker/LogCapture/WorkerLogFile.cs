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
internal sealed class WorkerLogFile : IDisposable
{
    private static readonly UTF8Encoding Utf8 = new(false);
    private readonly FileStream _stream;
    private readonly TextWriter _writer;
    private int _disposed;
    private CachedTimestamp? _timestamp;

    private WorkerLogFile(string path, FileStream stream, int descriptor)
    {
        Path = path;
        Descriptor = descriptor;
        _stream = stream;
        _writer = TextWriter.Synchronized(new StreamWriter(stream, Utf8, 4096, leaveOpen: true) { AutoFlush = true });
    }

    public const string FileName = "worker_log.txt";

    public string Path { get; }

    /// <summary>The OS descriptor (Unix), or -1.</summary>
    public int Descriptor { get; }

    /// <summary>Receives child-process output; thread-safe; every write reaches the file at once.</summary>
    public TextWriter ChildOutput => _writer;

    public static WorkerLogFile Open(string path)
    {
        if (UnixFileDescriptors.IsSupported)
        {
            int fd = UnixFileDescriptors.OpenAppend(path);
            var handle = new SafeFileHandle(fd, ownsHandle: true);
            return new WorkerLogFile(path, new FileStream(handle, FileAccess.Write, bufferSize: 0), fd);
        }

        return new WorkerLogFile(path, new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete), -1);
    }

    /// <summary>Writes one entry as Toil's log line (<see cref="ToilLogFormat"/>), timestamped in the clock's local time zone.</summary>
    public void Write(TimeProvider time, LogLevel level, string category, string message, Exception? exception)
    {
        string? exceptionText = exception?.ToString();
        string timestamp = Timestamp(time);
        string thread = ThreadNames.Current();
        string newLine = _writer.NewLine;

        // The line is built in a rented buffer, encoded once into another and written with one call under the child
        // output's lock (its writer flushes per call, so nothing of it is pending), so it reaches the file in one
        // write and nothing but the buffers' rent is paid per line.
        int length = timestamp.Length + Math.Max(thread.Length, 10) + category.Length + message.Length +
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
                _stream.Write(bytes, 0, count);
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

    public void Flush()
    {
        _writer.Flush();
        _stream.Flush(flushToDisk: true);
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
            _writer.Flush();
        }
        catch (IOException)
        {
        }

        _writer.Dispose();
        _stream.Dispose();
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
