namespace Toil.Runtime.Executors.Mesos;

/// <summary>
/// Reads RecordIO frames (<c>&lt;decimal length&gt;\n&lt;length bytes&gt;</c>, repeated) from a stream. Frame boundaries are
/// independent of how the bytes arrive: a header or a record may be split across any number of reads, and one read
/// may hold several records.
/// </summary>
internal sealed class RecordIoReader
{
    // A uint64 has at most 20 decimal digits.
    private const int MaxHeaderDigits = 20;

    // What a record's buffer starts at before its bytes arrive; it doubles up to the announced length as they do.
    private const int InitialRecordCapacity = 4 * 1024;

    private readonly Stream stream;
    private readonly int maxRecordSize;
    private readonly byte[] buffer;
    private int start;
    private int end;

    public RecordIoReader(Stream stream, int maxRecordSize, int bufferSize = 16 * 1024)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecordSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 1);
        this.stream = stream;
        this.maxRecordSize = maxRecordSize;
        buffer = new byte[bufferSize];
    }

    /// <summary>Reads the next record.</summary>
    /// <returns>The record's bytes, or <see langword="null"/> when the stream ended cleanly between records.</returns>
    /// <exception cref="MesosProtocolException">The header is not a positive decimal length, the length exceeds the
    /// maximum, or the stream ended inside a frame.</exception>
    public async ValueTask<byte[]?> ReadAsync(CancellationToken cancellationToken)
    {
        ulong length = 0;
        int digits = 0;
        while (true)
        {
            if (start == end && !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                if (digits == 0)
                {
                    return null;
                }

                throw new MesosProtocolException("the event stream ended inside a RecordIO header");
            }

            byte b = buffer[start++];
            if (b == (byte)'\n')
            {
                break;
            }

            if (b is < (byte)'0' or > (byte)'9' || ++digits > MaxHeaderDigits)
            {
                throw new MesosProtocolException(
                    digits > MaxHeaderDigits
                        ? "RecordIO header is longer than a 64-bit length"
                        : $"RecordIO header has a non-digit byte 0x{b:X2}");
            }

            length = (length * 10) + (ulong)(b - '0');
            if (length > (ulong)maxRecordSize)
            {
                throw new MesosProtocolException($"RecordIO record is larger than the limit of {maxRecordSize} bytes");
            }
        }

        if (digits == 0 || length == 0)
        {
            throw new MesosProtocolException(digits == 0 ? "RecordIO header is empty" : "RecordIO record has length 0");
        }

        // The header is the peer's word, not data: allocate what has arrived (at least a buffer's worth) and grow the
        // record by doubling as more comes, so a header announcing the maximum followed by a few bytes costs a few
        // bytes, and a record that does arrive costs at most twice its size in allocations.
        int expected = (int)length;
        var record = new byte[Math.Min(expected, Math.Max(InitialRecordCapacity, end - start))];
        int filled = 0;
        while (filled < expected)
        {
            if (filled == record.Length)
            {
                Array.Resize(ref record, (int)Math.Min(expected, 2L * record.Length));
            }

            if (start == end)
            {
                // Large remainders go straight into the record, small ones through the buffer.
                int room = record.Length - filled;
                if (room >= buffer.Length)
                {
                    int n = await stream.ReadAsync(record.AsMemory(filled, room), cancellationToken).ConfigureAwait(false);
                    if (n == 0)
                    {
                        throw Truncated(filled, expected);
                    }

                    filled += n;
                    continue;
                }

                if (!await FillAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw Truncated(filled, expected);
                }
            }

            int take = Math.Min(end - start, record.Length - filled);
            Buffer.BlockCopy(buffer, start, record, filled, take);
            start += take;
            filled += take;
        }

        return record;
    }

    private static MesosProtocolException Truncated(int got, int expected) =>
        new($"the event stream ended inside a RecordIO record ({got} of {expected} bytes)");

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        start = 0;
        end = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return end > 0;
    }
}
