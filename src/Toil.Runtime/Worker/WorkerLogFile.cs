using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Toil.Runtime.Worker;

/// <summary>
/// The worker log, <c>&lt;tmp&gt;/worker_log.txt</c> (DESIGN D6): the run's log entries and the output of child processes
/// started through the job context, written under one lock. On Unix the file is opened with <c>O_APPEND</c>, so in
/// process mode descriptors 1 and 2, redirected onto it, interleave with it without overwriting each other.
/// </summary>
internal sealed class WorkerLogFile : IDisposable
{
    private readonly FileStream _stream;
    private readonly TextWriter _writer;
    private int _disposed;

    private WorkerLogFile(string path, FileStream stream, int descriptor)
    {
        Path = path;
        Descriptor = descriptor;
        _stream = stream;
        _writer = TextWriter.Synchronized(new StreamWriter(stream, new UTF8Encoding(false), 4096, leaveOpen: true) { AutoFlush = true });
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

    public void Write(DateTimeOffset time, LogLevel level, string category, string message, Exception? exception)
    {
        var line = new StringBuilder(64 + message.Length)
            .Append('[').Append(time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)).Append("] [")
            .Append(LevelLetter(level)).Append("] [").Append(category).Append("] ").Append(message);
        if (exception is not null)
        {
            line.AppendLine().Append(exception);
        }

        _writer.WriteLine(line.ToString());
    }

    public void Flush()
    {
        _writer.Flush();
        _stream.Flush(flushToDisk: true);
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

    private static char LevelLetter(LogLevel level) => level switch
    {
        LogLevel.Trace => 'T',
        LogLevel.Debug => 'D',
        LogLevel.Information => 'I',
        LogLevel.Warning => 'W',
        LogLevel.Error => 'E',
        LogLevel.Critical => 'C',
        _ => '-',
    };
}
