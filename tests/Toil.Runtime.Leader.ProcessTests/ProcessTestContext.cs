using System.Diagnostics;
using Toil.Runtime.Authoring;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Leader.BatchSystems;
using Toil.Runtime.Leader.ProcessTests.Host;

namespace Toil.Runtime.Leader.ProcessTests;

/// <summary>A temporary directory with a file job store, and the worker programs built beside the tests.</summary>
internal sealed class ProcessTestContext : IAsyncDisposable
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    public static readonly JobTypeRegistry Registry = new(
        ProcessTestJobs.TouchJob.Registration,
        ProcessTestJobs.ExitJob.Registration,
        ProcessTestJobs.HangJob.Registration,
        ProcessTestJobs.SpanJob.Registration,
        ProcessTestJobs.EnvJob.Registration,
        ProcessTestJobs.DeferAndHangJob.Registration,
        ProcessTestJobs.WhereJob.Registration);

    private ProcessTestContext(string root, FileJobStore store)
    {
        Root = root;
        Store = store;
    }

    public string Root { get; }

    public FileJobStore Store { get; }

    public string WorkDirectory => Path.Combine(Root, "work");

    /// <summary>The host (<c>ToilWorkerEntryPoint</c>) as the worker program.</summary>
    public static IList<string> HostCommand => [Dotnet, HostPath, "worker"];

    /// <summary>The <c>toil worker</c> tool as the worker program (jobs from the workflow's job assemblies).</summary>
    public static IList<string> ToilCommand => [Dotnet, Path.Combine(AppContext.BaseDirectory, "toil.dll"), "worker"];

    public static string HostPath => Path.Combine(AppContext.BaseDirectory, "Toil.Runtime.Leader.ProcessTests.Host.dll");

    private static string Dotnet => Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";

    public static async Task<ProcessTestContext> CreateAsync(bool jobAssemblies = false)
    {
        string root = Path.Combine(Path.GetTempPath(), "toil-local-process-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(root, "work"));
        var store = await FileJobStore.CreateAsync(
            new FileJobStoreOptions { Locator = "file:" + Path.Combine(root, "store") },
            new WorkflowConfig { JobAssemblies = jobAssemblies ? [HostPath] : [] });
        return new ProcessTestContext(root, store);
    }

    public LocalProcessBatchSystemOptions Options(IList<string>? command = null) => new()
    {
        WorkerCommand = command ?? HostCommand,
        WorkDirectory = WorkDirectory,
        Cores = 2,
        Memory = "4Gi",
        Disk = "4Gi",
    };

    public string PathOf(string name) => Path.Combine(Root, name);

    public async Task<BatchJobRequest> RequestAsync<TJob, TInput>(string jobName, TInput input, JobResources? resources = null, IReadOnlyDictionary<string, string>? environment = null)
        where TJob : class
    {
        string id = await Store.CreateRootJobAsync<TJob, TInput>(Registry, input);
        return new BatchJobRequest
        {
            JobStoreId = id,
            JobName = jobName,
            JobStore = Store,
            Resources = resources ?? new JobResources { Cores = 1, Memory = "100Mi", Disk = "100Mi" },
            Environment = environment ?? new Dictionary<string, string>(StringComparer.Ordinal),
        };
    }

    /// <summary>Waits (bounded) until a job writes <paramref name="path"/>.</summary>
    public static async Task WaitForFileAsync(string path)
    {
        var clock = Stopwatch.StartNew();
        while (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            if (clock.Elapsed > Bound)
            {
                throw new TimeoutException($"no job wrote {path} within {Bound}");
            }

            await Task.Delay(20);
        }
    }

    public static bool ProcessIsGone(int processId)
    {
        try
        {
            using var p = Process.GetProcessById(processId);
            return p.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
