using Microsoft.Win32.SafeHandles;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Toil.Runtime.IO;

/// <summary>
/// Finds symbolic links on the way from a directory to a path below it, so a store that never makes links can refuse
/// to follow one that was planted (<c>docs/job-store-format.md</c>, "Symbolic links").
/// </summary>
internal static class SymbolicLinks
{
    private const int StackPathBytes = 1024;
    private const int ENoSys = 38;
    private const int ELoop = 40;

    // Whether openat2(2) may answer first (Linux 5.6 and later, unless a seccomp filter refuses it): cleared for good at
    // the first ENOSYS or EPERM.
    private static volatile bool s_openAt2 = OperatingSystem.IsLinux();

    // The last root found to pass through a link itself (allowed: only what is below it is checked). openat2 refuses such
    // a path as a whole, so checks below this root go straight to the walk.
    private static volatile string? s_linkedRoot;

    /// <summary>Whether the one-call check (<c>openat2</c>) is in use; tests turn it off to compare it with the walk.</summary>
    internal static bool OpenAt2Enabled
    {
        get => s_openAt2;
        set => s_openAt2 = value && OperatingSystem.IsLinux();
    }

    /// <summary>
    /// Returns the first entry of <paramref name="fullPath"/> below <paramref name="root"/> (the leaf included) that is a
    /// symbolic link, or <see langword="null"/>. Stops at the first entry that does not exist: what is missing will be
    /// created by the caller, as a real directory or file.
    /// </summary>
    /// <param name="root">The absolute root, without a trailing separator; it may itself be or pass through a link.</param>
    /// <param name="fullPath">An absolute path that starts with <paramref name="root"/> and a separator.</param>
    /// <returns>The link's path, or <see langword="null"/>.</returns>
    /// <remarks>
    /// <para>On Linux, first one <c>openat2(O_PATH, RESOLVE_NO_SYMLINKS)</c> of the whole path (and a <c>close</c>): the
    /// kernel resolves it once and fails with <c>ELOOP</c> at any link (docs/performance.md, "Link checks in one call").
    /// Success, <c>ENOENT</c> and <c>ENOTDIR</c> answer as the walk would (a link before the missing entry would have
    /// stopped the resolution first). <c>ELOOP</c> (a link, perhaps above the root, which is allowed) and any other error
    /// fall to the walk, which names the link.</para>
    /// <para>The walk: one <c>readlink</c> per component and no allocation: the path is encoded once and each prefix is
    /// ended in place by a NUL.</para>
    /// </remarks>
    public static string? FindBelow(string root, string fullPath)
    {
        if (fullPath.Length <= root.Length + 1)
        {
            return null;
        }

        if (OperatingSystem.IsWindows())
        {
            return FindBelowPortable(root, fullPath);
        }

        int count = Encoding.UTF8.GetMaxByteCount(fullPath.Length) + 1;
        Span<byte> path = count <= StackPathBytes ? stackalloc byte[StackPathBytes] : new byte[count];
        int length = Encoding.UTF8.GetBytes(fullPath, path);
        path[length] = 0;
        int refused = 0;
        if (s_openAt2 && !string.Equals(root, s_linkedRoot, StringComparison.Ordinal))
        {
            switch (refused = OpenAt2NoLinks(path))
            {
                case 0:
                case Libc.ENoEnt:
                case Libc.ENotDir:
                    return null;
                case ENoSys:
                case Libc.EPerm:
                    s_openAt2 = false;
                    break;
            }
        }

        string? link = Walk(root, fullPath, path, length);
        if (link is null && refused == ELoop)
        {
            // openat2 refused the path, the walk below the root found nothing: the root passes through a link.
            s_linkedRoot = root;
        }

        return link;
    }

    /// <summary>
    /// Opens <paramref name="fullPath"/> for reading in one <c>openat2(O_RDONLY, RESOLVE_NO_SYMLINKS)</c> when no entry
    /// on the way is a symbolic link: the check of <see cref="FindBelow"/> and the open in one atomic call. Returns
    /// <see langword="null"/> when this call cannot answer: no <c>openat2</c>, a root reached through a link, or a link
    /// refused (the caller then checks with <see cref="FindBelow"/>, which names the link or finds the root linked, and
    /// opens the path itself).
    /// </summary>
    /// <param name="root">The absolute root, as for <see cref="FindBelow"/>.</param>
    /// <param name="fullPath">An absolute path below <paramref name="root"/>.</param>
    /// <returns>The open handle (not checked to be a regular file), or <see langword="null"/>.</returns>
    /// <exception cref="IOException">The open failed otherwise, as <see cref="UnlockedFile.OpenRead"/> reports it.</exception>
    public static SafeFileHandle? TryOpenReadNoLinks(string root, string fullPath)
    {
        if (!s_openAt2 || fullPath.Length <= root.Length + 1 || s_linkedRoot is { } linked && IsAtOrBelow(fullPath, linked))
        {
            return null; // Below a root reached through a link, openat2 refuses every path.
        }

        int count = Encoding.UTF8.GetMaxByteCount(fullPath.Length) + 1;
        Span<byte> path = count <= StackPathBytes ? stackalloc byte[StackPathBytes] : new byte[count];
        int length = Encoding.UTF8.GetBytes(fullPath, path);
        path[length] = 0;
        nint fd = OpenAt2NoLinks(path, Libc.ORdOnlyCloseOnExec);
        if (fd >= 0)
        {
            return new SafeFileHandle(fd, ownsHandle: true);
        }

        int errno = Marshal.GetLastPInvokeError();
        switch (errno)
        {
            case ELoop:
                return null;
            case ENoSys:
            case Libc.EPerm:
                s_openAt2 = false;
                return null;
            default:
                throw UnlockedFile.OpenError(errno, fullPath);
        }
    }

    private static bool IsAtOrBelow(string path, string root) =>
        path.StartsWith(root, StringComparison.Ordinal) && (path.Length == root.Length || path[root.Length] == Path.DirectorySeparatorChar);

    /// <summary>The <c>errno</c> of <c>openat2(<paramref name="fullPath"/>, O_PATH, RESOLVE_NO_SYMLINKS)</c>, or 0 when it succeeded (Linux; tests).</summary>
    internal static int OpenAt2NoLinks(string fullPath)
    {
        byte[] path = new byte[Encoding.UTF8.GetByteCount(fullPath) + 1];
        Encoding.UTF8.GetBytes(fullPath, path);
        return OpenAt2NoLinks(path);
    }

    /// <summary>The <c>errno</c> of <c>openat2(path, O_PATH, RESOLVE_NO_SYMLINKS)</c> on a NUL-terminated path, or 0 when it succeeded (its descriptor closed).</summary>
    private static int OpenAt2NoLinks(Span<byte> path)
    {
        nint fd = OpenAt2NoLinks(path, Libc.OPathCloseOnExec);
        if (fd < 0)
        {
            return Marshal.GetLastPInvokeError();
        }

        _ = Libc.Close((int)fd);
        return 0;
    }

    /// <summary><c>openat2(path, flags, RESOLVE_NO_SYMLINKS)</c> on a NUL-terminated path: the descriptor, or -1 with the <c>errno</c> set.</summary>
    private static nint OpenAt2NoLinks(Span<byte> path, ulong flags)
    {
        var how = new Libc.OpenHow { Flags = flags, Resolve = Libc.ResolveNoSymlinks };
        return Libc.OpenAt2(Libc.SysOpenAt2, Libc.AtFdCwd, ref MemoryMarshal.GetReference(path), ref how, Unsafe.SizeOf<Libc.OpenHow>());
    }

    /// <summary>The walk: one <c>readlink</c> per component of <paramref name="path"/> (<paramref name="fullPath"/> encoded, NUL at <paramref name="length"/>) below <paramref name="root"/>.</summary>
    private static string? Walk(string root, string fullPath, Span<byte> path, int length)
    {
        int start = Encoding.UTF8.GetByteCount(fullPath.AsSpan(0, root.Length)) + 1;
        Span<byte> target = stackalloc byte[1];
        for (int i = start; i <= length; i++)
        {
            if (i < length && path[i] != (byte)'/')
            {
                continue;
            }

            path[i] = 0;
            nint result = Libc.ReadLink(ref MemoryMarshal.GetReference(path), ref MemoryMarshal.GetReference(target), target.Length);
            int errno = result < 0 ? Marshal.GetLastPInvokeError() : 0;
            if (i < length)
            {
                path[i] = (byte)'/';
            }

            if (result >= 0)
            {
                return Encoding.UTF8.GetString(path[..i]);
            }

            if (errno is Libc.ENoEnt or Libc.ENotDir)
            {
                return null;
            }

            if (errno != Libc.EInval)
            {
                // Not ours to judge (EACCES, ...): the operation that follows reports it.
                return null;
            }
        }

        return null;
    }

    private static string? FindBelowPortable(string root, string fullPath)
    {
        for (int i = root.Length + 1; i <= fullPath.Length; i++)
        {
            if (i < fullPath.Length && fullPath[i] != Path.DirectorySeparatorChar)
            {
                continue;
            }

            string prefix = fullPath[..i];
            var info = new FileInfo(prefix);
            if (!info.Exists && !Directory.Exists(prefix))
            {
                return null;
            }

            if (info.LinkTarget is not null)
            {
                return prefix;
            }
        }

        return null;
    }
}
