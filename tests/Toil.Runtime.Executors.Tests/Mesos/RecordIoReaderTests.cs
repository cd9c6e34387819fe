using System.Text;
using Toil.Runtime.Executors.Mesos;

namespace Toil.Runtime.Executors.Tests.Mesos;

public class RecordIoReaderTests
{
    // Multi-digit lengths (1, 2, 4 digits), UTF-8 multi-byte text (length counts bytes), a record that fills many buffers.
    private static readonly string[] Records =
    [
        "{}",
        """{"type":"HEARTBEAT"}""",
        """{"type":"MESSAGE","message":{"data":"aé€😀"}}""",
        "x",
        new string('z', 1234),
    ];

    private static byte[] Frame(IEnumerable<string> records)
    {
        var all = new MemoryStream();
        foreach (string record in records)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(record);
            all.Write(Encoding.ASCII.GetBytes($"{bytes.Length}\n"));
            all.Write(bytes);
        }

        return all.ToArray();
    }

    private static async Task<List<string>> ReadAll(Stream stream, int bufferSize = 16)
    {
        var reader = new RecordIoReader(stream, maxRecordSize: 1 << 20, bufferSize);
        var got = new List<string>();
        while (await reader.ReadAsync(CancellationToken.None) is { } record)
        {
            got.Add(Encoding.UTF8.GetString(record));
        }

        return got;
    }

    [Test]
    public async Task ReadAsync_EverySplitPointOfTwoChunks_ReturnsTheSameRecords()
    {
        byte[] bytes = Frame(Records);
        for (int split = 0; split <= bytes.Length; split++)
        {
            var stream = new ChunkedStream(bytes, [split, bytes.Length - split]);

            var got = await ReadAll(stream);

            got.Should().Equal(Records, $"split at byte {split}");
        }
    }

    [Test]
    public async Task ReadAsync_OneByteChunks_ReturnsTheSameRecords()
    {
        byte[] bytes = Frame(Records);
        var got = await ReadAll(new ChunkedStream(bytes, Enumerable.Repeat(1, bytes.Length)), bufferSize: 3);
        got.Should().Equal(Records);
    }

    [Test]
    public async Task ReadAsync_RandomChunksAndBufferSizes_ReturnsTheSameRecords()
    {
        byte[] bytes = Frame(Records);
        var random = new Random(7);
        for (int round = 0; round < 200; round++)
        {
            var sizes = new List<int>();
            for (int left = bytes.Length; left > 0;)
            {
                int n = Math.Min(left, random.Next(1, 40));
                sizes.Add(n);
                left -= n;
            }

            var got = await ReadAll(new ChunkedStream(bytes, sizes), bufferSize: random.Next(1, 64));

            got.Should().Equal(Records, $"round {round}");
        }
    }

    [Test]
    public async Task ReadAsync_SeveralRecordsInOneRead_ReturnsEachRecord()
    {
        byte[] bytes = Frame(Records);
        var got = await ReadAll(new ChunkedStream(bytes, [bytes.Length]), bufferSize: 4096);
        got.Should().Equal(Records);
    }

    [Test]
    public async Task ReadAsync_Utf8Payload_LengthCountsBytes()
    {
        byte[] bytes = Frame(["é€"]);
        Encoding.ASCII.GetString(bytes, 0, 2).Should().Be("5\n");
        (await ReadAll(new MemoryStream(bytes))).Should().Equal("é€");
    }

    [Test]
    public async Task ReadAsync_EmptyStream_ReturnsNull()
    {
        var reader = new RecordIoReader(new MemoryStream(), 100);
        (await reader.ReadAsync(CancellationToken.None)).Should().BeNull();
    }

    [TestCase("a\n{}", "non-digit")]
    [TestCase("\n{}", "empty")]
    [TestCase("0\n", "length 0")]
    [TestCase("-1\n{}", "non-digit")]
    [TestCase("5\n{}", "ended inside a RecordIO record")]
    [TestCase("12", "ended inside a RecordIO header")]
    [TestCase("101\n", "larger than the limit")]
    [TestCase("123456789012345678901\n", "larger than the limit")]
    public async Task ReadAsync_CorruptFrame_ThrowsProtocolException(string input, string message)
    {
        var reader = new RecordIoReader(new MemoryStream(Encoding.ASCII.GetBytes(input)), 100);

        var read = async () => await reader.ReadAsync(CancellationToken.None);

        (await read.Should().ThrowAsync<MesosProtocolException>()).Which.Message.Should().Contain(message);
    }

    [Test]
    public async Task ReadAsync_RecordAfterGoodOnes_TruncatedRecordIsAnErrorNotAnEnd()
    {
        byte[] good = Frame(["{}"]);
        byte[] bytes = [.. good, .. Encoding.ASCII.GetBytes("10\n{\"a\"")];
        var reader = new RecordIoReader(new MemoryStream(bytes), 100);

        (await reader.ReadAsync(CancellationToken.None)).Should().Equal(Encoding.UTF8.GetBytes("{}"));
        var read = async () => await reader.ReadAsync(CancellationToken.None);
        await read.Should().ThrowAsync<MesosProtocolException>();
    }

    [Test]
    public async Task ReadAsync_HeaderAnnouncingTheMaximumThenAFewBytes_AllocatesLittle()
    {
        const int Announced = 64 * 1024 * 1024;
        byte[] bytes = [.. Encoding.ASCII.GetBytes($"{Announced}\n"), .. "{\"type\""u8];
        var reader = new RecordIoReader(new MemoryStream(bytes), maxRecordSize: Announced);

        // MemoryStream completes every read synchronously, so the whole read runs on this thread.
        long before = GC.GetAllocatedBytesForCurrentThread();
        var read = async () => await reader.ReadAsync(CancellationToken.None);
        (await read.Should().ThrowAsync<MesosProtocolException>()).Which.Message.Should().Contain($"7 of {Announced} bytes");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.Should().BeLessThan(256 * 1024, "the record buffer grows with the data, not with the header's claim");
    }

    [Test]
    public async Task ReadAsync_LargeRecordsInRandomChunks_ReturnsThemWhole()
    {
        var random = new Random(11);
        string[] records = [new string('a', 70_000), "{}", new string('b', 16 * 1024), new string('c', 4096), new string('d', 4097), new string('e', 300_001)];
        byte[] bytes = Frame(records);
        for (int round = 0; round < 20; round++)
        {
            var sizes = new List<int>();
            for (int left = bytes.Length; left > 0;)
            {
                int n = Math.Min(left, random.Next(1, 50_000));
                sizes.Add(n);
                left -= n;
            }

            var reader = new RecordIoReader(new ChunkedStream(bytes, sizes), maxRecordSize: 1 << 20, bufferSize: random.Next(1, 20_000));
            var got = new List<string>();
            while (await reader.ReadAsync(CancellationToken.None) is { } record)
            {
                got.Add(Encoding.UTF8.GetString(record));
            }

            got.Should().Equal(records, $"round {round}");
        }
    }

    /// <summary>A stream that returns its bytes in the given chunk sizes (zero-sized chunks are skipped).</summary>
    private sealed class ChunkedStream(byte[] bytes, IEnumerable<int> chunks) : Stream
    {
        private readonly Queue<int> sizes = new(chunks.Where(c => c > 0));
        private int position;
        private int leftInChunk;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => bytes.Length;

        public override long Position { get => position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (leftInChunk == 0)
            {
                if (sizes.Count == 0)
                {
                    return 0;
                }

                leftInChunk = sizes.Dequeue();
            }

            int n = Math.Min(count, leftInChunk);
            Array.Copy(bytes, position, buffer, offset, n);
            position += n;
            leftInChunk -= n;
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
