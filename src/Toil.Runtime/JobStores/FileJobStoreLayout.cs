using Microsoft.Win32.SafeHandles;
using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Toil.Runtime.IO;

namespace Toil.Runtime.JobStores;

/// <summary>
/// Where everything of a file job store is (<c>docs/job-store-format.md</c>): the directory names, the path of a job's
/// directory, record and lock, and the resolution of IDs from input to paths that stay inside the root. The store never
/// makes symbolic links, so a link on the way to anything it touches can only lead out of it and is refused.
/// </summary>
internal sealed partial class FileJobStoreLayout
{
    public const string JobsDirectory = "jobs";
    public const string JobFilesDirectory = "job-files";
    public const string FlatFilesDirectory = "files-flat";
    public const string SharedDirectory = "shared";
    public const string StatsDirectory = "stats";
    public const string TempDirectory = "tmp";
    public const string JobFileName = "job";
    public const string FilePrefix = "file-";
    public const string InboxDirectory = "inbox";
    public const string ArchiveDirectory = "archive";

    /// <summary>Every directory a new store is made with, in creation order (parents first).</summary>
    public static readonly string[] Directories =
    [
        JobsDirectory, JobFilesDirectory, FlatFilesDirectory, SharedDirectory, TempDirectory, StatsDirectory,
        Path.Join(StatsDirectory, InboxDirectory), Path.Join(StatsDirectory, ArchiveDirectory),
    ];

    /// <summary>The only names a store's root holds (besides temporary files).</summary>
    public static readonly HashSet<string> RootEntries = new(StringComparer.Ordinal)
    {
        JobsDirectory, JobFilesDirectory, FlatFilesDirectory, SharedDirectory, StatsDirectory, TempDirectory, FileJobStoreFormat.FileName,
    };

    private static readonly string[] s_layoutPaths =
    [
        .. Directories, FileJobStoreFormat.FileName, Path.Join(SharedDirectory, SharedFileNames.Config),
    ];

    /// <summary>Creates the layout of the store at <paramref name="root"/>.</summary>
    /// <param name="root">The absolute root, without a trailing separator.</param>
    public FileJobStoreLayout(string root)
    {
        Root = root;
        Locator = "file:" + root;
    }

    /// <summary>The store's absolute root.</summary>
    public string Root { get; }

    /// <summary>The store's locator (<c>file:</c> and the root), named by exceptions.</summary>
    public string Locator { get; }

    /// <summary>Parses a file job store locator: <c>file:/path</c>, or a path (absolute, starting with <c>.</c>, or without <c>:</c>).</summary>
    public static bool TryParseLocator(string? locator, [NotNullWhen(true)] out string? path)
    {
        path = null;
        if (string.IsNullOrWhiteSpace(locator))
        {
            return false;
        }

        string rest;
        if (locator.StartsWith("file:", StringComparison.Ordinal))
        {
            rest = locator[5..];
        }
        else if (locator[0] is '/' or '.' || !locator.Contains(':', StringComparison.Ordinal) || Path.IsPathRooted(locator))
        {
            rest = locator;
        }
        else
        {
            return false;
        }

        if (rest.Length == 0 || rest.Contains('\0', StringComparison.Ordinal))
        {
            return false;
        }

        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(rest));
        if (Path.GetDirectoryName(full) is null)
        {
            return false;
        }

        path = full;
        return true;
    }

    /// <summary>Whether <paramref name="id"/> has the form of a job ID this store assigns (<c>kind-&lt;slug&gt;/instance-&lt;hex&gt;</c>), so it names a path inside <c>jobs/</c>.</summary>
    public static bool IsJobId([NotNullWhen(true)] string? id) => id is not null && JobIdPattern().IsMatch(id);

    /// <summary>Refuses a store whose layout directories or markers are symbolic links, before reading anything through them.</summary>
    /// <exception cref="SymbolicLinkInJobStoreException">One is a link.</exception>
    public static void RefuseLinkedLayout(string root, string locator)
    {
        foreach (string entry in s_layoutPaths)
        {
            if (SymbolicLinks.FindBelow(root, Path.Join(root, entry)) is { } link)
            {
                throw new SymbolicLinkInJobStoreException(link, locator);
            }
        }
    }

    public string JobDirectory(string jobId) => Path.Join(Root, JobsDirectory, jobId);

    public string JobFile(string jobId) => Path.Join(Root, JobsDirectory, jobId, JobFileName);

    /// <summary>
    /// The name of a new store file (format 2): <c>file-&lt;32 hex&gt;-&lt;base name&gt;</c>, at most 238 bytes. The
    /// random part keeps IDs unique without a directory per file.
    /// </summary>
    public static string NewFileName(string? baseName) => $"{FilePrefix}{Guid.NewGuid():N}-{JobStoreIds.SafeBaseName(baseName)}";

    /// <summary>
    /// A writer's temp file for a store file in <paramref name="directory"/>: <c>file-&lt;32 hex&gt;.tmp</c> (the usual
    /// <c>&lt;name&gt;.&lt;hex&gt;.tmp</c> would pass a file name's 255 bytes for a 200-character base name). It never has
    /// a file ID's shape, so no ID reaches it.
    /// </summary>
    public static string NewFileTempPath(string directory) => Path.Join(directory, $"{FilePrefix}{Guid.NewGuid():N}{DurableFile.TempSuffix}");

    /// <summary>Whether <paramref name="fileId"/> names a cleanup file in a job's directory: <c>jobs/&lt;job ID&gt;/file-&lt;32 hex&gt;-&lt;base name&gt;</c>.</summary>
    public static bool IsJobDirectoryFileId(string fileId) => JobDirectoryFileIdPattern().IsMatch(fileId);

    /// <summary>A job's kept files (those without cleanup): <c>job-files/&lt;id&gt;</c>, made when the job first owns one.</summary>
    public string JobFilesOf(string jobId) => Path.Join(Root, JobFilesDirectory, jobId);

    public string SharedPath(string name) => Path.Join(Root, SharedDirectory, name);

    /// <summary>A directory of the layout, by its relative path (one of <see cref="Directories"/>).</summary>
    public string Directory(string relative) => Path.Join(Root, relative);

    /// <summary>
    /// Returns <paramref name="path"/> (a path under the root) after checking that no entry on the way to it, itself
    /// included, is a symbolic link.
    /// </summary>
    /// <exception cref="SymbolicLinkInJobStoreException">An entry is a link.</exception>
    public string Contained(string path) =>
        SymbolicLinks.FindBelow(Root, path) is { } link ? throw new SymbolicLinkInJobStoreException(link, Locator) : path;

    /// <summary>
    /// Returns <paramref name="path"/> after checking only its last entry for a link: for a path whose directories the
    /// same operation has just checked (the job's lock path is checked whole when the lock is taken).
    /// </summary>
    /// <exception cref="SymbolicLinkInJobStoreException">The entry is a link.</exception>
    public string LeafContained(string path) =>
        SymbolicLinks.FindBelow(Path.GetDirectoryName(path)!, path) is { } link ? throw new SymbolicLinkInJobStoreException(link, Locator) : path;

    /// <summary>
    /// Opens a store file for reading after the check of <see cref="Contained"/> (with <paramref name="leafOnly"/>, of
    /// <see cref="LeafContained"/>). On Linux the check and the open are one <c>openat2</c>, atomic with each other;
    /// elsewhere, or when the kernel refuses it, the check and then an open.
    /// </summary>
    /// <param name="path">The file's full path.</param>
    /// <param name="leafOnly">Whether the caller already checked the directories on the way (it holds the job's lock).</param>
    /// <exception cref="SymbolicLinkInJobStoreException">An entry on the way is a link.</exception>
    public SafeFileHandle OpenReadContained(string path, bool leafOnly = false) =>
        SymbolicLinks.TryOpenReadNoLinks(leafOnly ? Path.GetDirectoryName(path)! : Root, path)
        ?? UnlockedFile.OpenRead(leafOnly ? LeafContained(path) : Contained(path));

    /// <summary>
    /// Resolves a file ID to a path inside the store. Throws for an ID that is malformed or escapes the store (by
    /// <c>..</c>, an absolute path or a symbolic link); returns <see langword="null"/> for a well-formed ID that
    /// cannot name a file of this store.
    /// </summary>
    /// <exception cref="InvalidJobStoreIdException">The ID is malformed or leads out of the store.</exception>
    public string? ResolveFile(string fileId)
    {
        JobStoreLimits.ValidateFileId(fileId);
        if (!fileId.StartsWith(FlatFilesDirectory + "/", StringComparison.Ordinal)
            && !fileId.StartsWith(JobFilesDirectory + "/", StringComparison.Ordinal)
            && !IsJobDirectoryFileId(fileId))
        {
            // Under jobs/ only a job's cleanup files are files: never its record, temp files or the directory itself.
            return null;
        }

        string full = Path.GetFullPath(Path.Join(Root, fileId));
        if (!full.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new InvalidJobStoreIdException(fileId, "the ID resolves outside the job store");
        }

        // The store never makes symbolic links, so one on the way can only lead out of it.
        if (SymbolicLinks.FindBelow(Root, full) is not null)
        {
            throw new InvalidJobStoreIdException(fileId, "the ID passes through a symbolic link");
        }

        return full;
    }

    /// <summary>The job that owns a file, from the file's ID (<c>job-files/kind-&lt;slug&gt;/instance-&lt;hex&gt;/...</c>), or <see langword="null"/> for a file no job owns.</summary>
    public static string? OwningJob(string fileId)
    {
        if (!fileId.StartsWith(JobFilesDirectory + "/", StringComparison.Ordinal))
        {
            return null;
        }

        int kindEnd = fileId.IndexOf('/', JobFilesDirectory.Length + 1);
        int instanceEnd = kindEnd < 0 ? -1 : fileId.IndexOf('/', kindEnd + 1);
        if (instanceEnd < 0)
        {
            return null;
        }

        string jobId = fileId[(JobFilesDirectory.Length + 1)..instanceEnd];
        return IsJobId(jobId) ? jobId : null;
    }

    [GeneratedRegex(@"\Akind-[A-Za-z0-9._-]{1,240}/instance-[0-9a-f]{32}\z", RegexOptions.CultureInvariant)]
    private static partial Regex JobIdPattern();

    [GeneratedRegex(@"\Ajobs/kind-[A-Za-z0-9._-]{1,240}/instance-[0-9a-f]{32}/file-[0-9a-f]{32}-[A-Za-z0-9._-]{1,200}\z", RegexOptions.CultureInvariant)]
    private static partial Regex JobDirectoryFileIdPattern();
}
