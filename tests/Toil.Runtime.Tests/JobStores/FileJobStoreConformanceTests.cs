using Toil.Runtime.JobStores;
using Toil.Runtime.Testing;

namespace Toil.Runtime.Tests.JobStores;

/// <summary>Runs the job-store conformance suite against <see cref="FileJobStore"/> with its default options.</summary>
public sealed class FileJobStoreConformanceTests : JobStoreConformanceTests
{
    private readonly List<string> _parents = [];

    protected override async ValueTask<IJobStore> CreateStoreAsync(CancellationToken cancellationToken)
    {
        string parent = Path.Combine(Path.GetTempPath(), "toil-filestore-conformance-" + Guid.NewGuid().ToString("N"));
        _parents.Add(parent);
        return await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = "file:" + Path.Combine(parent, "store") }, cancellationToken: cancellationToken);
    }

    protected override async ValueTask<IJobStore> OpenSecondInstanceAsync(IJobStore first, CancellationToken cancellationToken) =>
        await FileJobStore.OpenAsync(first.Locator, cancellationToken);

    protected override async ValueTask OverwriteJobRecordAsync(IJobStore store, string jobId, ReadOnlyMemory<byte> record, CancellationToken cancellationToken) =>
        await File.WriteAllBytesAsync(((FileJobStore)store).JobFile(jobId), record, cancellationToken);

    [TearDown]
    public void DeleteParents()
    {
        foreach (string parent in _parents)
        {
            try
            {
                Directory.Delete(parent, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }

        _parents.Clear();
    }
}
