using Microsoft.Extensions.Logging;
using Toil.Runtime.IO;

namespace Toil.Runtime.JobStores;

/// <content>
/// What keeps a file job store to itself: the modes it creates entries with, the refusal of symbolic links, the bound on
/// a job record and the removal of a deleted job's last directory (<c>docs/job-store-format.md</c>, "Limits",
/// "Who can read a store", "Symbolic links").
/// </content>
public sealed partial class FileJobStore
{
    private static (UnixFileMode Directory, UnixFileMode File) Modes(FileJobStoreOptions options) =>
        options.ShareWithGroup ? (AccessModes.GroupDirectory, AccessModes.GroupFile) : (AccessModes.PrivateDirectory, AccessModes.PrivateFile);

    /// <summary>
    /// After a job's kept file was deleted: when the job itself is gone, its <c>job-files/&lt;id&gt;/</c> directory is removed
    /// if that left it empty (a deleted job's kept file is usually consumed after the job ends). Best effort: a directory
    /// that is not empty, or that vanished meanwhile, stays as it is.
    /// </summary>
    private void RemoveDeletedJobsFilesDirectory(string fileId)
    {
        if (FileJobStoreLayout.OwningJob(fileId) is not { } jobId || Directory.Exists(JobDirectory(jobId)))
        {
            return;
        }

        FileJobStoreTrash.TryDeleteEmptyDirectory(_layout.JobFilesOf(jobId));
    }

    /// <summary>
    /// Removes a deleted job's <c>job-files/&lt;id&gt;/</c> if it is empty. Best effort; a symbolic link planted there is
    /// left for the operator to see (removing a directory through .NET would remove the link).
    /// </summary>
    private void RemoveEmptyKeptFilesDirectory(string jobId)
    {
        string files = _layout.JobFilesOf(jobId);
        if (Directory.Exists(files) && SymbolicLinks.FindBelow(_root, files) is null)
        {
            FileJobStoreTrash.TryDeleteEmptyDirectory(files);
        }
    }

    /// <summary>Warns when the root lets more users in than the configured mode would (a store made before stores were private, or loosened by hand).</summary>
    private void WarnIfRootIsLoose()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        UnixFileMode actual;
        try
        {
            actual = File.GetUnixFileMode(_root);
        }
        catch (IOException)
        {
            return;
        }

        if ((actual & ~_directoryMode) != 0)
        {
            LogLooseRoot(_logger, _root, Octal(actual), Octal(_directoryMode));
        }
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0xFFF, 8).PadLeft(4, '0');

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "The job store root '{Root}' has mode {Actual}, looser than the store's {Expected}: other users may read job inputs, outputs, logs and the leader's environment. Run chmod {Expected} on it (or set FileJobStoreOptions.ShareWithGroup if the group should read it).")]
    private static partial void LogLooseRoot(ILogger logger, string root, string actual, string expected);
}
