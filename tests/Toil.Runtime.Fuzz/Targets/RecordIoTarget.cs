using System.Text;
using CsCheck;
using Toil.Runtime.Executors.Mesos;

namespace Toil.Runtime.Fuzz.Targets;

/// <summary>
/// The Mesos event stream: RecordIO frames of (mutated) events, damaged at the byte level, delivered in random chunks.
/// Every stream ends in records or <see cref="MesosProtocolException"/>; undamaged streams give back exactly the records
/// framed, whatever the chunking; each record is then parsed as an event.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class RecordIoTarget : FuzzTarget<RecordIoTarget.Stream>
{
    private const int MaxRecord = 1 << 20;

    /// <summary>An input: the records, the byte damage to the framed stream, the read sizes and the reader's buffer size.</summary>
    public sealed record Stream(byte[][] Records, JsonMutation.Edit[] Damage, int[] Chunks, int BufferSize);

    /// <inheritdoc />
    public override string Name => "recordio";

    /// <inheritdoc />
    public override string Property => "RecordIoReader.ReadAsync: the framed records (any chunking) or MesosProtocolException; each record parses as an event or JsonException";

    /// <inheritdoc />
    public override long CiIterations => 4000;

    /// <inheritdoc />
    protected override Gen<Stream> Inputs { get; } = Gen.Select(
        JsonMutation.Documents(ValidDocuments.MesosEvents()).Where(r => r.Length > 0).Array[0, 4],
        Gen.Select(Gen.Int[0, 3], Gen.Int[0, 1_000_000], Gen.Int[0, 255], (k, w, x) => new JsonMutation.Edit(k, w, x)).Array[0, 2],
        Gen.Int[1, 64].Array[1, 20],
        Gen.Int[1, 64],
        (records, damage, chunks, buffer) => new Stream(records, damage, chunks, buffer));

    /// <inheritdoc />
    protected override string Print(Stream input) =>
        $"records [{string.Join(", ", input.Records.Select(Printing.Bytes))}] damage [{string.Join(", ", input.Damage)}] chunks [{string.Join(",", input.Chunks)}] buffer {input.BufferSize}";

    /// <inheritdoc />
    protected override void Check(Stream input)
    {
        var framed = new MemoryStream();
        foreach (byte[] record in input.Records)
        {
            framed.Write(Encoding.ASCII.GetBytes($"{record.Length}\n"));
            framed.Write(record);
        }

        byte[] bytes = framed.ToArray();
        foreach (var edit in input.Damage)
        {
            bytes = edit.Kind switch
            {
                0 => bytes[..(bytes.Length == 0 ? 0 : edit.Where % bytes.Length)],
                1 when bytes.Length > 0 => Flip(bytes, edit.Where % bytes.Length, edit.What),
                2 => [.. bytes[..(bytes.Length == 0 ? 0 : edit.Where % bytes.Length)], (byte)edit.What, .. bytes[(bytes.Length == 0 ? 0 : edit.Where % bytes.Length)..]],
                _ => [.. bytes, .. Encoding.ASCII.GetBytes($"{MaxRecord}\n"), (byte)edit.What],
            };
        }

        var reader = new RecordIoReader(new ChunkedStream(bytes, input.Chunks), MaxRecord, input.BufferSize);
        var got = new List<byte[]>();
        try
        {
            while (reader.ReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult() is { } record)
            {
                Expect.That(record.Length is > 0 and <= MaxRecord, $"a record of {record.Length} bytes");
                got.Add(record);
                MesosEventTarget.ParseEvent(record);
            }
        }
        catch (MesosProtocolException)
        {
            Expect.That(input.Damage.Length > 0, "an undamaged stream was refused");
            return;
        }
        catch (Exception ex) when (ex is not FuzzPropertyException)
        {
            throw new FuzzPropertyException($"RecordIoReader threw {ex.GetType().FullName}: {ex.Message}", ex);
        }

        if (input.Damage.Length == 0)
        {
            Expect.That(got.Count == input.Records.Length && got.Zip(input.Records).All(p => p.First.AsSpan().SequenceEqual(p.Second)), "an undamaged stream gave other records");
        }
    }

    private static byte[] Flip(byte[] bytes, int at, int what)
    {
        byte[] copy = [.. bytes];
        copy[at] ^= (byte)(what | 1);
        return copy;
    }

    /// <summary>Returns its bytes in the given read sizes, cycling through them.</summary>
    private sealed class ChunkedStream(byte[] bytes, int[] chunks) : System.IO.Stream
    {
        private int _position;
        private int _next;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => bytes.Length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(Math.Min(count, chunks[_next++ % chunks.Length]), bytes.Length - _position);
            Array.Copy(bytes, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
