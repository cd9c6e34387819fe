using System.Text;
using Toil.Runtime.Deferred;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Stats;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Worker;

/// <summary>An in-memory job store, a scripted invoker, a work directory and a runner built on them.</summary>
internal sealed class WorkerTestContext : IDisposable
{
    public WorkerTestContext(WorkflowConfig? config = null)
    {
        Store = new InMemoryJobStore(config ?? new WorkflowConfig { RetryCount = 2 });
        WorkDir = Path.Combine(Path.GetTempPath(), "toil-worker-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(WorkDir);
        Options = new WorkerOptions { WorkDir = WorkDir, CoordinationDir = Path.Combine(WorkDir, "coord"), CleanWorkDir = CleanWorkDirPolicy.Never };
        Registry = new DeferredFunctionRegistry()
            .Register("note", WorkerTestJson.Default.WorkerNote, (n, _) =>
            {
                Deferred.Enqueue(n.Text);
                return ValueTask.CompletedTask;
            });
    }

    public InMemoryJobStore Store { get; }

    public string WorkDir { get; }

    public WorkerOptions Options { get; }

    public ScriptedInvoker Invoker { get; } = new();

    public TestFileStoreOptions FileStores { get; } = new();

    public DeferredFunctionRegistry Registry { get; }

    public System.Collections.Concurrent.ConcurrentQueue<string> Deferred { get; } = new();


    /// <summary>Whether runners use the production <c>NonCachingFileStore</c> instead of <see cref="TestFileStore"/>.</summary>
    public bool UseNonCachingFileStore { get; set; }

    /// <summary>The runners' clock (the chaos kill's delay among others); <see langword="null"/> for the system clock.</summary>
    public TimeProvider? Time { get; set; }

    public WorkerRunner CreateRunner() => UseNonCachingFileStore
        ? new(Invoker, new InMemoryDeferredFunctionManagerFactory(Registry), Microsoft.Extensions.Options.Options.Create(Options), EmptyServices.Instance, null, Time)
        : new(
        Invoker,
        new InMemoryDeferredFunctionManagerFactory(Registry),
        Microsoft.Extensions.Options.Options.Create(Options),
        EmptyServices.Instance,
        null,
        Time,
        r => new TestFileStore(r, FileStores));

    public Task<WorkerResult> RunAsync(string jobId, WorkerMode mode = WorkerMode.InProcess, CancellationToken cancellationToken = default) =>
        CreateRunner().RunAsync(new WorkerRequest(Store, jobId) { Mode = mode }, cancellationToken);

    /// <summary>Creates a job (with a body file owned by it, unless <paramref name="body"/> is false).</summary>
    public async Task<string> AddJobAsync(string name, JobRequirements? requirements = null, bool body = true, bool checkpoint = false, bool local = false, Action<JobDescription>? setup = null)
    {
        JobDescription job = checkpoint ? new CheckpointJobDescription(name, requirements, local: local) : new JobDescription(name, requirements, local: local);
        await Store.AssignJobIdAsync(job);
        if (body)
        {
            string fileId = await Store.WriteFileAsync((s, ct) => s.WriteAsync(Encoding.UTF8.GetBytes("{}"), ct), job.JobStoreId, cleanup: true, "body.json");
            job.AttachBody(new JobBody(name, fileId));
        }

        setup?.Invoke(job);
        await Store.CreateJobsAsync([job]);
        return job.JobStoreId;
    }

    public async Task LinkAsync(string parentId, string successorId, bool followOn = false)
    {
        var parent = await Store.LoadJobAsync(parentId);
        if (followOn)
        {
            parent.AddFollowOn(successorId);
        }
        else
        {
            parent.AddChild(successorId);
        }

        await Store.UpdateJobAsync(parent);
    }

    public async Task<List<StatsDocument>> ReadStatsAsync()
    {
        var docs = new List<StatsDocument>();
        await Store.ReadLogsAsync(async (s, ct) =>
        {
            using var buffer = new MemoryStream();
            await s.CopyToAsync(buffer, ct);
            docs.Add(StatsDocument.Parse(buffer.ToArray()));
        }, readAll: true);
        return docs;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(WorkDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed class EmptyServices : IServiceProvider
    {
        public static readonly EmptyServices Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}
