namespace Toil.Runtime.FileStores;

/// <summary>
/// A stream that passes every call to the stream it wraps and adds the bytes read from or written to it to a
/// <see cref="ByteCount"/>: the file store counts its jobs' bytes where they pass (<c>docs/progress.md</c>, "The run
/// summary"), never by looking at file sizes. Disposing it disposes the wrapped stream.
/// </summary>
internal sealed class CountingStream : Stream
{
    private readonly Stream _inner;
    private readonly ByteCount _read;
    private readonly ByteCount _written;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The stream every call goes to.</param>
    /// <param name="read">Where bytes read are added.</param>
    /// <param name="written">Where bytes written are added.</param>
    public CountingStream(Stream inner, ByteCount read, ByteCount written)
    {
        _inner = inner;
        _read = read;
        _written = written;
    }

    /// <inheritdoc />
    public override bool CanRead => _inner.CanRead;

    /// <inheritdoc />
    public override bool CanSeek => _inner.CanSeek;

    /// <inheritdoc />
    public override bool CanWrite => _inner.CanWrite;

    /// <inheritdoc />
    public override bool CanTimeout => _inner.CanTimeout;

    /// <inheritdoc />
    public override long Length => _inner.Length;

    /// <inheritdoc />
    public override long Position
    {
        get => _inner.Position;
        set => _inner.Position = value;
    }

    /// <inheritdoc />
    public override int ReadTimeout
    {
        get => _inner.ReadTimeout;
        set => _inner.ReadTimeout = value;
    }

    /// <inheritdoc />
    public override int WriteTimeout
    {
        get => _inner.WriteTimeout;
        set => _inner.WriteTimeout = value;
    }

    /// <inheritdoc />
    public override void Flush() => _inner.Flush();

    /// <inheritdoc />
    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => _read.Add(_inner.Read(buffer, offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer) => _read.Add(_inner.Read(buffer));

    /// <inheritdoc />
    public override int ReadByte()
    {
        int b = _inner.ReadByte();
        if (b >= 0)
        {
            _read.Add(1);
        }

        return b;
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _read.Add(await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count)
    {
        _inner.Write(buffer, offset, count);
        _written.Add(count);
    }

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _inner.Write(buffer);
        _written.Add(buffer.Length);
    }

    /// <inheritdoc />
    public override void WriteByte(byte value)
    {
        _inner.WriteByte(value);
        _written.Add(1);
    }

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        _written.Add(buffer.Length);
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);

    /// <inheritdoc />
    public override void SetLength(long value) => _inner.SetLength(value);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
