namespace Toil.Runtime.Worker;

/// <summary>
/// The log size policy (docs/decisions.md#log-truncation): a limit &gt; 0 keeps the last N bytes, &lt; 0 keeps the first |N| bytes, 0 keeps
/// everything. A cut never splits a UTF-8 character: the kept part shrinks to the nearest character boundary.
/// </summary>
internal static class LogTruncation
{
    /// <summary>Returns the part of <paramref name="log"/> that <paramref name="limit"/> keeps.</summary>
    /// <param name="log">The whole log.</param>
    /// <param name="limit">The policy: last N bytes (&gt; 0), first |N| bytes (&lt; 0), or all (0).</param>
    /// <returns>A slice of <paramref name="log"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is <see cref="long.MinValue"/>.</exception>
    public static ReadOnlySpan<byte> Truncate(ReadOnlySpan<byte> log, long limit)
    {
        var (offset, length) = Window(log.Length, limit);
        if (offset == 0 && length == log.Length)
        {
            return log;
        }

        var window = log.Slice((int)offset, (int)length);
        return offset == 0 ? DropIncompleteTail(window) : SkipLeadingContinuation(window);
    }

    /// <summary>Reads the part of a log file that <paramref name="limit"/> keeps, without reading the rest.</summary>
    /// <param name="path">The log file.</param>
    /// <param name="limit">The policy (see <see cref="Truncate"/>).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The kept bytes; empty when the file does not exist.</returns>
    public static async Task<byte[]> ReadTruncatedAsync(string path, long limit, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            var (offset, length) = Window(stream.Length, limit);
            if (length > Array.MaxLength)
            {
                // Keeping "everything" of a log larger than an array: keep the tail that fits, as a positive limit would.
                (offset, length) = (stream.Length - Array.MaxLength, Array.MaxLength);
            }

            byte[] buffer = new byte[length];
            stream.Position = offset;
            await stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (offset == 0 && length == stream.Length)
            {
                return buffer;
            }

            ReadOnlySpan<byte> kept = offset == 0 ? DropIncompleteTail(buffer) : SkipLeadingContinuation(buffer);
            return kept.Length == buffer.Length ? buffer : kept.ToArray();
        }
    }

    private static (long Offset, long Length) Window(long size, long limit)
    {
        ArgumentOutOfRangeException.ThrowIfEqual(limit, long.MinValue);
        if (limit == 0 || size <= Math.Abs(limit))
        {
            return (0, size);
        }

        return limit > 0 ? (size - limit, limit) : (0, -limit);
    }

    // A tail cut may start inside a character: drop its continuation bytes (at most 3 in valid UTF-8).
    private static ReadOnlySpan<byte> SkipLeadingContinuation(ReadOnlySpan<byte> window)
    {
        int skip = 0;
        while (skip < window.Length && skip < 3 && IsContinuation(window[skip]))
        {
            skip++;
        }

        return window[skip..];
    }

    // A head cut may end inside a character: drop the lead byte and the continuation bytes of the incomplete one.
    private static ReadOnlySpan<byte> DropIncompleteTail(ReadOnlySpan<byte> window)
    {
        int end = window.Length;
        int back = 0;
        while (back < 3 && end - back - 1 >= 0 && IsContinuation(window[end - back - 1]))
        {
            back++;
        }

        int leadIndex = end - back - 1;
        if (leadIndex < 0)
        {
            return window;
        }

        byte lead = window[leadIndex];
        int needed = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        return back + 1 < needed ? window[..leadIndex] : window;
    }

    private static bool IsContinuation(byte b) => (b & 0xC0) == 0x80;
}
