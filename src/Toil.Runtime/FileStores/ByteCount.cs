namespace Toil.Runtime.FileStores;

/// <summary>A count of bytes that several threads may add to (a job's streams may be read or written concurrently).</summary>
internal sealed class ByteCount
{
    private long _value;

    /// <summary>The bytes counted so far.</summary>
    public long Value => Volatile.Read(ref _value);

    /// <summary>Adds <paramref name="bytes"/> (negative values, such as a stream's end, are ignored).</summary>
    /// <param name="bytes">The bytes that passed.</param>
    /// <returns><paramref name="bytes"/>, so a read can return through it.</returns>
    public int Add(int bytes)
    {
        if (bytes > 0)
        {
            Interlocked.Add(ref _value, bytes);
        }

        return bytes;
    }
}
