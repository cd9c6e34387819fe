using Toil.Runtime.JobStores;

namespace Toil.Runtime.Tests.JobStores;

public sealed class PooledCaptureStreamTests
{
    [Test]
    public async Task ToArray_WritesAcrossSeveralGrowths_ReturnsExactlyTheBytesInOrder()
    {
        var expected = new byte[100_003];
        new Random(7).NextBytes(expected);
        using var stream = new PooledCaptureStream();

        stream.WriteByte(expected[0]);
        stream.Write(expected, 1, 4_999);
        await stream.WriteAsync(expected.AsMemory(5_000, 45_000));
        await stream.WriteAsync(expected, 50_000, 50_003);
        await stream.FlushAsync();

        stream.Length.Should().Be(expected.Length);
        stream.Position.Should().Be(expected.Length);
        stream.ToArray().Should().Equal(expected);
    }

    [Test]
    public void ToArray_NothingWritten_ReturnsAnEmptyArray()
    {
        using var stream = new PooledCaptureStream();

        stream.Write([]);

        stream.ToArray().Should().BeEmpty();
        stream.CanRead.Should().BeFalse();
        stream.CanSeek.Should().BeFalse();
    }

    [Test]
    public void Write_AfterDispose_ThrowsObjectDisposed()
    {
        var stream = new PooledCaptureStream();
        stream.Write([1, 2]);
        stream.Dispose();

        var write = () => stream.Write([3]);

        write.Should().Throw<ObjectDisposedException>();
        stream.CanWrite.Should().BeFalse();
    }

    [Test]
    public async Task WriteLogsAsync_InMemoryStoreStreamedMessage_IsDeliveredByteForByte()
    {
        var message = new byte[70_000];
        new Random(3).NextBytes(message);
        var store = new InMemoryJobStore();

        await store.WriteLogsAsync(async (s, ct) =>
        {
            await s.WriteAsync(message.AsMemory(0, 30_000), ct);
            await s.WriteAsync(message.AsMemory(30_000), ct);
        });
        byte[]? read = null;
        int count = await store.ReadLogsAsync(async (s, ct) =>
        {
            using var copy = new MemoryStream();
            await s.CopyToAsync(copy, ct);
            read = copy.ToArray();
        });

        count.Should().Be(1);
        read.Should().Equal(message);
    }
}
