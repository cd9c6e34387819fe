using Microsoft.Extensions.Logging;
using Toil.Runtime.FileStores;
using Toil.Runtime.Jobs;

namespace Toil.Runtime.Testing;

/// <summary>The job's file store, passing every call through and noting the IDs of the global files it writes.</summary>
internal sealed class RecordingFileStore(IFileStore inner) : IFileStore
{
    private readonly List<string> _written = [];

    public IReadOnlyList<string> FilesWritten
    {
        get
        {
            lock (_written)
            {
                return [.. _written];
            }
        }
    }

    public JobDescription Job => inner.Job;

    public string LocalTempDir => inner.LocalTempDir;

    public IReadOnlyList<LeaderMessage> LeaderMessages => inner.LeaderMessages;

    public IReadOnlyList<UserLogStream> UserStreams => inner.UserStreams;

    public string GetLocalTempDir() => inner.GetLocalTempDir();

    public string GetLocalTempFile(string suffix = ".tmp", string prefix = "tmp") => inner.GetLocalTempFile(suffix, prefix);

    public async ValueTask<string> WriteGlobalFileAsync(string localPath, bool cleanup = false, CancellationToken cancellationToken = default) =>
        Note(await inner.WriteGlobalFileAsync(localPath, cleanup, cancellationToken).ConfigureAwait(false));

    public async ValueTask<string> WriteGlobalFileStreamAsync(Func<Stream, CancellationToken, ValueTask> writer, bool cleanup = false, string? baseName = null, CancellationToken cancellationToken = default) =>
        Note(await inner.WriteGlobalFileStreamAsync(writer, cleanup, baseName, cancellationToken).ConfigureAwait(false));

    public ValueTask<string> ReadGlobalFileAsync(string fileId, string? userPath = null, CancellationToken cancellationToken = default) =>
        inner.ReadGlobalFileAsync(fileId, userPath, cancellationToken);

    public ValueTask<Stream> ReadGlobalFileStreamAsync(string fileId, CancellationToken cancellationToken = default) =>
        inner.ReadGlobalFileStreamAsync(fileId, cancellationToken);

    public ValueTask<long> GetGlobalFileSizeAsync(string fileId, CancellationToken cancellationToken = default) =>
        inner.GetGlobalFileSizeAsync(fileId, cancellationToken);

    public void DeleteLocalFile(string fileId) => inner.DeleteLocalFile(fileId);

    public ValueTask DeleteGlobalFileAsync(string fileId, CancellationToken cancellationToken = default) =>
        inner.DeleteGlobalFileAsync(fileId, cancellationToken);

    public void LogToLeader(string text, LogLevel level = LogLevel.Information) => inner.LogToLeader(text, level);

    public ValueTask LogUserStreamAsync(string name, Stream stream, CancellationToken cancellationToken = default) =>
        inner.LogUserStreamAsync(name, stream, cancellationToken);

    public ValueTask StartCommitAsync(bool jobState = true, CancellationToken cancellationToken = default) =>
        inner.StartCommitAsync(jobState, cancellationToken);

    public ValueTask WaitForCommitAsync(CancellationToken cancellationToken = default) => inner.WaitForCommitAsync(cancellationToken);

    private string Note(string fileId)
    {
        lock (_written)
        {
            _written.Add(fileId);
        }

        return fileId;
    }
}
