using Toil.Runtime.JobStores;

namespace Toil.Runtime.Cli.Store;

/// <summary>
/// Reads every stats message a file job store holds, delivered (<c>stats/archive/</c>) and not yet delivered
/// (<c>stats/inbox/</c>), without moving any (see <c>docs/job-store-format.md</c>): a running leader still gets each
/// inbox message, where <see cref="IJobStore.ReadLogsAsync"/> would archive it. A message the leader archives between the
/// listing and the read is read from the archive. A batch file yields each of its messages. Temp files of writers are
/// skipped; a symbolic link is refused.
/// </summary>
internal static class StatsMessages
{
    private const long MaxMessageBytes = 1L << 30;

    /// <summary>The messages' bytes, archived first, each in write order.</summary>
    /// <param name="storePath">The store's directory.</param>
    /// <param name="skipped">Told the name of each message that could not be read, and why.</param>
    /// <exception cref="SymbolicLinkInJobStoreException">A stats directory or message is a symbolic link.</exception>
    public static IEnumerable<byte[]> Read(string storePath, Action<string, string> skipped)
    {
        string stats = Path.Combine(storePath, "stats");
        string archive = Path.Combine(stats, "archive");
        string inbox = Path.Combine(stats, "inbox");
        foreach (string directory in (string[])[stats, archive, inbox])
        {
            if (new DirectoryInfo(directory).LinkTarget is not null)
            {
                throw new SymbolicLinkInJobStoreException(directory, "file:" + storePath);
            }
        }

        foreach (string path in List(archive).Concat(List(inbox)))
        {
            byte[]? bytes = TryRead(path, skipped) ?? (Path.GetDirectoryName(path) == inbox ? TryRead(Path.Combine(archive, Path.GetFileName(path)), skipped) : null);
            if (bytes is null)
            {
                continue;
            }

            if (!path.EndsWith(".batch", StringComparison.Ordinal))
            {
                yield return bytes;
                continue;
            }

            // Several messages written at once (docs/decisions.md#message-batches): each is one message.
            foreach (var message in FileJobStoreMessageGroup.Decode(bytes))
            {
                yield return message.ToArray();
            }
        }
    }

    private static List<string> List(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var names = Directory.EnumerateFiles(directory, "stats*")
            .Where(p => !Path.GetFileName(p).EndsWith(".tmp", StringComparison.Ordinal))
            .ToList();
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    private static byte[]? TryRead(string path, Action<string, string> skipped)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return null;
        }

        if (info.LinkTarget is not null)
        {
            throw new SymbolicLinkInJobStoreException(path, "file:" + Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(path))));
        }

        if (info.Length > MaxMessageBytes)
        {
            skipped(info.Name, $"it is {info.Length} bytes, more than {MaxMessageBytes}");
            return null;
        }

        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            skipped(info.Name, e.Message);
            return null;
        }
    }
}
