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
    private const int ENoEnt = 2;
    private const int ENotDir = 20;

    /// <summary>
    /// Returns the first entry of <paramref name="fullPath"/> below <paramref name="root"/> (the leaf included) that is a
    /// symbolic link, or <see langword="null"/>. Stops at the first entry that does not exist: what is missing will be
    /// created by the caller, as a real directory or file.
    /// </summary>
    /// <param name="root">The absolute root, without a trailing separator; it may itself be or pass through a link.</param>
    /// <param name="fullPath">An absolute path that starts with <paramref name="root"/> and a separator.</param>
    /// <returns>The link's path, or <see langword="null"/>.</returns>
    /// <remarks>One <c>readlink</c> per component and no allocation on Unix: the path is encoded once and each prefix is
    /// ended in place by a NUL.</remarks>
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

            if (errno is ENoEnt or ENotDir)
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
