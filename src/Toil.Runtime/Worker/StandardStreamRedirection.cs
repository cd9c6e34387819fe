namespace Toil.Runtime.Worker;

/// <summary>
/// Process mode (DESIGN D6): points descriptors 1 and 2 at the worker log, so native code and child processes that
/// inherit them are captured, and puts the originals back on dispose. Only the process that owns its descriptors
/// (<c>toil worker</c>) may do this; in-process runs never do.
/// </summary>
internal sealed class StandardStreamRedirection : IDisposable
{
    private readonly int _savedOut;
    private readonly int _savedErr;
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
        UnixFileDescriptors.Flush(UnixFileDescriptors.StandardOutput);
        UnixFileDescriptors.Flush(UnixFileDescriptors.StandardError);
        UnixFileDescriptors.Redirect(_savedOut, UnixFileDescriptors.StandardOutput);
        UnixFileDescriptors.Redirect(_savedErr, UnixFileDescriptors.StandardError);
        UnixFileDescriptors.CloseDescriptor(_savedOut);
        UnixFileDescriptors.CloseDescriptor(_savedErr);
    }

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
