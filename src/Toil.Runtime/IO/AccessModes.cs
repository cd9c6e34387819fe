namespace Toil.Runtime.IO;

/// <summary>
/// The permission bits of what the runtime creates (<c>docs/job-store-format.md</c>, "Who can read a store"): private
/// (owner only) by default, owner plus group when a store is shared with a group.
/// </summary>
/// <remarks>
/// Everything is created with its target mode (<c>mkdir</c>/<c>open</c> with an explicit mode, never the 0777/0666 that
/// the umask then trims), so the umask cannot widen it. The umask can only remove bits: a private mode has none it could
/// remove short of the owner's own, so private entries need no further call; a mode with group bits is set again with
/// <c>chmod</c>/<c>fchmod</c> after creation, so a site umask such as 077 cannot narrow a store shared with a group.
/// </remarks>
internal static class AccessModes
{
    /// <summary>0700.</summary>
    public const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>0600.</summary>
    public const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>0750.</summary>
    public const UnixFileMode GroupDirectory = PrivateDirectory | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;

    /// <summary>0640.</summary>
    public const UnixFileMode GroupFile = PrivateFile | UnixFileMode.GroupRead;

    /// <summary>Whether the umask could remove bits of <paramref name="mode"/> that matter (any beyond the owner's).</summary>
    public static bool NeedsChmod(UnixFileMode mode) => (mode & ~PrivateDirectory) != 0;

    /// <summary>
    /// Creates <paramref name="path"/> and each missing parent with exactly <paramref name="mode"/> (.NET's
    /// <c>Directory.CreateDirectory(path, mode)</c> gives missing parents the default mode); an existing directory is left
    /// as it is.
    /// </summary>
    public static void CreateDirectory(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        if (Directory.Exists(path))
        {
            return;
        }

        string? parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(path));
        if (parent is not null && !Directory.Exists(parent))
        {
            CreateDirectory(parent, mode);
        }

        Directory.CreateDirectory(path, mode);
        if (NeedsChmod(mode))
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    /// <summary>
    /// Creates (or with <see cref="FileMode.OpenOrCreate"/> opens) a file whose new inode gets exactly
    /// <paramref name="mode"/>.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="fileMode"><see cref="FileMode.CreateNew"/> or <see cref="FileMode.OpenOrCreate"/>.</param>
    /// <param name="access">The access.</param>
    /// <param name="share">The sharing (<see cref="FileShare.None"/> takes <c>flock</c> on Unix).</param>
    /// <param name="bufferSize">The buffer size (0 for none).</param>
    /// <param name="options">The file options.</param>
    /// <param name="mode">The permission bits of a file this call creates.</param>
    /// <returns>The open stream.</returns>
    public static FileStream Create(string path, FileMode fileMode, FileAccess access, FileShare share, int bufferSize, FileOptions options, UnixFileMode mode)
    {
        var streamOptions = new FileStreamOptions { Mode = fileMode, Access = access, Share = share, BufferSize = bufferSize, Options = options };
        if (OperatingSystem.IsWindows())
        {
            return new FileStream(path, streamOptions);
        }

        streamOptions.UnixCreateMode = mode;
        var stream = new FileStream(path, streamOptions);
        if (NeedsChmod(mode) && fileMode == FileMode.CreateNew)
        {
            try
            {
                File.SetUnixFileMode(stream.SafeFileHandle, mode);
            }
            catch
            {
                stream.Dispose();
                throw;
            }
        }

        return stream;
    }
}
