using System.Runtime.InteropServices;

namespace Toil.Runtime.IO;

/// <summary>
/// The file descriptor of a <see cref="SafeHandle"/>, for a direct system call: the handle's reference count is raised
/// while it is borrowed, so another thread's dispose cannot close (and the process reuse) the descriptor under the call.
/// </summary>
/// <example><code>using var fd = new BorrowedDescriptor(handle); Libc.Fsync(fd.Value);</code></example>
internal readonly ref struct BorrowedDescriptor
{
    private readonly SafeHandle _handle;
    private readonly bool _added;

    /// <summary>Borrows <paramref name="handle"/>'s descriptor until <see cref="Dispose"/>.</summary>
    /// <param name="handle">An open handle.</param>
    /// <exception cref="ObjectDisposedException">The handle is closed.</exception>
    public BorrowedDescriptor(SafeHandle handle)
    {
        _handle = handle;
        _handle.DangerousAddRef(ref _added);
        Value = (int)_handle.DangerousGetHandle();
    }

    /// <summary>The descriptor.</summary>
    public int Value { get; }

    /// <summary>Gives the reference back.</summary>
    public void Dispose()
    {
        if (_added)
        {
            _handle.DangerousRelease();
        }
    }
}
