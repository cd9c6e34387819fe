using System.Buffers;

namespace Toil.Runtime.JobStores;

/// <summary>
/// A write-only stream that grows in buffers rented from the shared pool, for a message captured in memory and kept as
/// one exact array (<see cref="InMemoryJobStore"/>'s log inbox): the message's bytes are allocated once, not the
/// doublings of a <see cref="MemoryStream"/> and then its copy (docs/performance.md, "Allocations of a chained job").
/// </summary>
internal sealed class PooledCaptureStream : Stream
{
    private const int InitialSize = 4096;
    private byte[]? _buffer;
    private int _length;
    private bool _disposed;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_disposed;

    public override long Length => _length;

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }

    /// <summary>The bytes written so far, as a new array of exactly their length.</summary>
    /// <returns>The array.</returns>
    public byte[] ToArray() => _buffer is null ? [] : _buffer.AsSpan(0, _length).ToArray();

    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        Write(buffer.AsSpan(offset, count));
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty)
        {
            return;
        }

        Reserve(buffer.Length);
        buffer.CopyTo(_buffer.AsSpan(_length));
        _length += buffer.Length;
    }

    public override void WriteByte(byte value) => Write([value]);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer, offset, count);
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested ? Task.FromCanceled(cancellationToken) : Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            if (_buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = null;
            }
        }

        base.Dispose(disposing);
    }

    private void Reserve(int count)
    {
        long needed = (long)_length + count;
        if (_buffer is not null && needed <= _buffer.Length)
        {
            return;
        }

        if (needed > Array.MaxLength)
        {
            throw new IOException($"A message captured in memory cannot exceed {Array.MaxLength} bytes.");
        }

        int size = (int)Math.Min(Array.MaxLength, Math.Max(needed, Math.Max(InitialSize, (_buffer?.Length ?? 0) * 2L)));
        byte[] grown = ArrayPool<byte>.Shared.Rent(size);
        if (_buffer is not null)
        {
            _buffer.AsSpan(0, _length).CopyTo(grown);
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = grown;
    }
}
