using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Toil.Runtime.Jobs;
using Toil.Runtime.Leader.TestHost;
using Toil.Runtime.Leader.Workflows;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Operate.Tests;

/// <summary>A leader with every workflow test job on a file job store in a temporary directory, in-process workers.</summary>
internal sealed class OperateHost : IAsyncDisposable
{
    private OperateHost(ServiceProvider services, string directory)
    {
        Services = services;
        Directory = directory;
    }

    public ServiceProvider Services { get; }

    public string Directory { get; }

    public string StorePath => Path.Combine(Directory, "store");

    public string Locator => "file:" + StorePath;

    public IWorkflowRunner Runner => Services.GetRequiredService<IWorkflowRunner>();

    public static OperateHost Create(Action<LeaderOptions>? leader = null, Action<IServiceCollection>? services = null)
    {
        string directory = System.IO.Directory.CreateTempSubdirectory("toil-operate-test-").FullName;
        string work = System.IO.Directory.CreateDirectory(Path.Combine(directory, "work")).FullName;
        var collection = new ServiceCollection();
        collection.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        collection.AddToilLeader(o =>
        {
            o.Config = new WorkflowConfig { RetryCount = 0, RetryBackoffSeconds = 0 };
            o.StatsPollInterval = TimeSpan.FromMilliseconds(100);
            o.WorkerEnvironment["TOIL_WORKDIR"] = work;
            o.WorkerEnvironment["TOIL_COORDINATION_DIR"] = work;
            o.JobStore = "file:" + Path.Combine(directory, "store");
            leader?.Invoke(o);
        });
        collection.Configure<WorkerOptions>(o =>
        {
            o.WorkDir = work;
            o.CoordinationDir = work;
        });
        collection.ConfigureInProcessBatchSystem(o =>
        {
            o.MaxCores = 4;
            o.MaxMemory = 64L << 30;
            o.MaxDisk = 64L << 30;
        });
        WorkflowTestJobs.Register(collection);
        OperateJobs.Register(collection);
        services?.Invoke(collection);
        return new OperateHost(collection.BuildServiceProvider(), directory);
    }

    public string PathOf(string name) => Path.Combine(Directory, name);

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
