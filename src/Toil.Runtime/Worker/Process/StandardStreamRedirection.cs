using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Toil.Runtime.Worker;

/// <summary>
/// Process mode (docs/decisions.md#log-capture): points descriptors 1 and 2 at the worker log, so native code and child processes that
/// inherit them are captured, and puts the originals back on dispose. Only the process that owns its descriptors
/// (<c>toil worker</c>) may do this; in-process runs never do.
/// </summary>
internal sealed class StandardStreamRedirection : IDisposable
{
    private readonly int _savedOut;
    private readonly int _savedErr;
    private readonly TextWriter _consoleOut = Console.Out;
    private readonly TextWriter _consoleError = Console.Error;
    private TextWriter? _redirectedOut;
    private TextWriter? _redirectedError;
    private bool _restored;

    private StandardStreamRedirection(int savedOut, int savedErr)
    {
        _savedOut = savedOut;
        _savedErr = savedErr;
    }

    public static StandardStreamRedirection Start(WorkerLogFile log)
    {
        if (!UnixFileDescriptors.IsSupported || log.Descriptor < 0)
        {
            throw new PlatformNotSupportedException("Redirecting descriptors 1 and 2 (process mode) needs Linux or macOS.");
        }

        FlushConsole();
        int savedOut = UnixFileDescriptors.DuplicateCloseOnExec(UnixFileDescriptors.StandardOutput);
        int savedErr;
        try
        {
            savedErr = UnixFileDescriptors.DuplicateCloseOnExec(UnixFileDescriptors.StandardError);
        }
        catch
        {
            UnixFileDescriptors.CloseDescriptor(savedOut);
            throw;
        }

        var redirection = new StandardStreamRedirection(savedOut, savedErr);
        try
        {
            UnixFileDescriptors.Redirect(log.Descriptor, UnixFileDescriptors.StandardOutput);
            UnixFileDescriptors.Redirect(log.Descriptor, UnixFileDescriptors.StandardError);

            // .NET's Console writes through its own duplicate of the original descriptor, which dup2 does not move.
            redirection._redirectedOut = DescriptorWriter(UnixFileDescriptors.StandardOutput);
            redirection._redirectedError = DescriptorWriter(UnixFileDescriptors.StandardError);
            Console.SetOut(redirection._redirectedOut);
            Console.SetError(redirection._redirectedError);
        }
        catch
        {
            redirection.Dispose();
            throw;
        }

        return redirection;
    }

    public void Dispose()
    {
        if (_restored)
        {
            return;
        }

        _restored = true;
        FlushConsole();
        Console.SetOut(_consoleOut);
        Console.SetError(_consoleError);
        _redirectedOut?.Dispose();
        _redirectedError?.Dispose();
        UnixFileDescriptors.Flush(UnixFileDescriptors.StandardOutput);
        UnixFileDescriptors.Flush(UnixFileDescriptors.StandardError);
        UnixFileDescriptors.Redirect(_savedOut, UnixFileDescriptors.StandardOutput);
        UnixFileDescriptors.Redirect(_savedErr, UnixFileDescriptors.StandardError);
        UnixFileDescriptors.CloseDescriptor(_savedOut);
        UnixFileDescriptors.CloseDescriptor(_savedErr);
    }

    private static TextWriter DescriptorWriter(int fd) =>
        TextWriter.Synchronized(new StreamWriter(new FileStream(new SafeFileHandle(fd, ownsHandle: false), FileAccess.Write, bufferSize: 0), new UTF8Encoding(false)) { AutoFlush = true });

    private static void FlushConsole()
    {
        try
        {
            Console.Out.Flush();
            Console.Error.Flush();
        }
        catch (IOException)
        {
        }
    }
}
