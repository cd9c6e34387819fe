using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Fuzz.Targets;

/// <summary>Both built-in stores: a <see cref="FileJobStore"/> alone in a <see cref="TempArea"/>, and an <see cref="InMemoryJobStore"/>.</summary>
public sealed class StoreHarness : IDisposable
{
    private StoreHarness(TempArea area, FileJobStore file, InMemoryJobStore memory)
    {
        Area = area;
        File = file;
        Memory = memory;
    }

    /// <summary>The temp area; the file store is its only child.</summary>
    public TempArea Area { get; }

    /// <summary>The file store.</summary>
    public FileJobStore File { get; }

    /// <summary>The in-memory store.</summary>
    public InMemoryJobStore Memory { get; }

    /// <summary>Both stores.</summary>
    public IEnumerable<IJobStore> Stores => [File, Memory];

    /// <summary>Creates both stores.</summary>
    public static StoreHarness Create()
    {
        var area = new TempArea("store");
        var options = new FileJobStoreOptions { Locator = "file:" + area.Child, VisibilityTimeout = TimeSpan.Zero, TransientRetryDelay = TimeSpan.Zero };
        FileJobStore file = FileJobStore.CreateAsync(options, new WorkflowConfig { WorkflowId = "fuzz" }).AsTask().GetAwaiter().GetResult();
        return new StoreHarness(area, file, new InMemoryJobStore());
    }

    /// <summary>Runs an asynchronous store call to completion.</summary>
    public static T Run<T>(ValueTask<T> task) => task.AsTask().GetAwaiter().GetResult();

    /// <summary>Runs an asynchronous store call to completion.</summary>
    public static void Run(ValueTask task) => task.AsTask().GetAwaiter().GetResult();

    /// <summary>Checks nothing was written beside the file store, then destroys both.</summary>
    public void Dispose()
    {
        try
        {
            Area.AssertNothingBeside();
        }
        finally
        {
            File.DisposeAsync().AsTask().GetAwaiter().GetResult();
            Memory.DisposeAsync().AsTask().GetAwaiter().GetResult();
            Area.Dispose();
        }
    }
}
