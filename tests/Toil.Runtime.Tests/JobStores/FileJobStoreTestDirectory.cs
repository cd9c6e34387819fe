using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Tests.JobStores;

/// <summary>A temporary parent directory for file job stores; the store itself lives at <see cref="StorePath"/>.</summary>
public sealed class FileJobStoreTestDirectory : IDisposable
{
    public FileJobStoreTestDirectory()
    {
        Parent = Path.Combine(Path.GetTempPath(), "toil-filestore-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Parent);
        StorePath = Path.Combine(Parent, "store");
    }

    public string Parent { get; }

    public string StorePath { get; }

    public FileJobStoreOptions Options(Action<FileJobStoreOptions>? configure = null)
    {
        var options = new FileJobStoreOptions { Locator = "file:" + StorePath, VisibilityTimeout = TimeSpan.Zero, TransientRetryDelay = TimeSpan.Zero };
        configure?.Invoke(options);
        return options;
    }

    public ValueTask<FileJobStore> CreateAsync(Action<FileJobStoreOptions>? configure = null, WorkflowConfig? config = null) =>
        FileJobStore.CreateAsync(Options(configure), config);

    public ValueTask<FileJobStore> OpenAsync(Action<FileJobStoreOptions>? configure = null) =>
        FileJobStore.OpenAsync(Options(configure));

    public static JobDescription NewJob(string name = "job") => new(name, new JobRequirements { Memory = "1Gi" });

    public string[] RelativeEntries() =>
        [.. Directory.EnumerateFileSystemEntries(StorePath, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(StorePath, p).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)];

    public void Dispose()
    {
        try
        {
            Directory.Delete(Parent, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
