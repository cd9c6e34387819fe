namespace Toil.Runtime.Leader.BatchSystems.LocalProcess;

/// <summary>
/// Drains one standard stream of a worker process into a file, created at the first byte (most workers write nothing:
/// they redirect descriptors 1 and 2 into their own log). Draining keeps the worker from blocking on a full pipe.
/// </summary>
internal sealed class AttemptOutput
{
    private readonly Stream _source;
    private FileStream? _file;

    private AttemptOutput(Stream source, string path)
    {
        _source = source;
        Path = path;
    }

    /// <summary>Gets the file the stream goes to (it exists only if the worker wrote something).</summary>
    public string Path { get; }

    /// <summary>Gets the drain; it ends at the end of the stream, or with the exception that stopped it.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    public static AttemptOutput Start(Stream source, string path)
    {
        var output = new AttemptOutput(source, path);
        output.Completion = output.DrainAsync();
        return output;
    }

    /// <summary>Deletes the file, if any (after <see cref="Completion"/>).</summary>
    public void Delete()
    {
        if (_file is not null)
        {
            try
            {
                File.Delete(Path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                WriteError ??= e;
            }
        }
    }

    /// <summary>Gets the error that stopped writing the file, if any (the stream was still drained).</summary>
    public Exception? WriteError { get; private set; }

    /// <summary>Gets whether the file exists (after <see cref="Completion"/>).</summary>
    public bool HasFile => _file is not null;

    /// <summary>
    /// Gets the last <paramref name="maxBytes"/> bytes of each file, framed for <see cref="BatchJobUpdate.Detail"/> (what
    /// a worker wrote before or outside its log capture); a file that cannot be read is named instead.
    /// </summary>
    public static string Tail(IEnumerable<string> paths, int maxBytes)
    {
        var text = new System.Text.StringBuilder();
        foreach (string path in paths)
        {
            try
            {
                using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                long start = Math.Max(0, file.Length - maxBytes);
                file.Position = start;
                using var reader = new StreamReader(file, System.Text.Encoding.UTF8);
                string tail = reader.ReadToEnd();
                text.Append('\n').Append("--- ").Append(System.IO.Path.GetFileName(path)).Append(start > 0 ? " (last bytes) ---\n" : " ---\n").Append(tail);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                text.Append('\n').Append("--- ").Append(System.IO.Path.GetFileName(path)).Append(" could not be read: ").Append(e.Message);
            }
        }

        return text.ToString();
    }

    private async Task DrainAsync()
    {
        byte[] buffer = new byte[16 * 1024];
        try
        {
            int n;
            bool discard = false;
            while ((n = await _source.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                if (discard)
                {
                    continue;
                }

                try
                {
                    _file ??= new FileStream(Path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0, useAsync: false);
                    _file.Write(buffer, 0, n);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Keep draining (a full pipe would block the worker); the rest of the output is lost.
                    WriteError = e;
                    discard = true;
                }
            }
        }
        finally
        {
            if (_file is not null)
            {
                await _file.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
