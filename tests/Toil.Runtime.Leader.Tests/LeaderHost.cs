using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Toil.Runtime.Jobs;
using Toil.Runtime.Leader.BatchSystems;
using Toil.Runtime.Leader.TestHost;
using Toil.Runtime.Leader.Workflows;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Leader.Tests;

/// <summary>A service provider with the leader, every test job, a collecting logger, and a temporary directory.</summary>
internal sealed class LeaderHost : IAsyncDisposable
{
    private LeaderHost(ServiceProvider services, string directory, FakeLogCollector logs)
    {
        Services = services;
        Directory = directory;
        Logs = logs;
    }

    public ServiceProvider Services { get; }

    public string Directory { get; }

    public FakeLogCollector Logs { get; }

    public IWorkflowRunner Runner => Services.GetRequiredService<IWorkflowRunner>();

    public Authoring.JobTypeRegistry Registry => Services.GetRequiredService<Authoring.JobTypeRegistry>();

    public string Locator => "file:" + Path.Combine(Directory, "store");

    public static LeaderHost Create(Action<LeaderOptions>? leader = null, Action<WorkerOptions>? worker = null, Action<InProcessBatchSystemOptions>? slots = null, TimeProvider? time = null, bool fileStore = false, bool localProcess = false)
    {
        string directory = System.IO.Directory.CreateTempSubdirectory("toil-leader-test-").FullName;
        string work = System.IO.Directory.CreateDirectory(Path.Combine(directory, "work")).FullName;
        var services = new ServiceCollection();
        var collector = new FakeLogCollector();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new FakeLoggerProvider(collector)));
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddToilLeader(o =>
        {
            o.Config = new WorkflowConfig { RetryCount = 1, RetryBackoffSeconds = 0 };
            o.StatsPollInterval = TimeSpan.FromMilliseconds(100);
            o.WorkerEnvironment["TOIL_WORKDIR"] = work;
            o.WorkerEnvironment["TOIL_COORDINATION_DIR"] = work;
            if (fileStore || localProcess)
            {
                o.JobStore = "file:" + Path.Combine(directory, "store");
            }

            leader?.Invoke(o);
        });
        services.Configure<WorkerOptions>(o =>
        {
            o.WorkDir = work;
            o.CoordinationDir = work;
            worker?.Invoke(o);
        });
        services.ConfigureInProcessBatchSystem(o =>
        {
            o.MaxCores = 4;
            o.MaxMemory = 64L << 30;
            o.MaxDisk = 64L << 30;
            slots?.Invoke(o);
        });
        WorkflowTestJobs.Register(services);
        if (localProcess)
        {
            // Each job a worker process: the test host, whose entry point hands "worker" arguments to ToilWorkerEntryPoint.
            services.AddLocalProcessBatchSystem(o =>
            {
                o.WorkerCommand = ["dotnet", typeof(WorkflowTestJobs).Assembly.Location, "worker"];
                o.Cores = 4;
                o.Memory = 64L << 30;
                o.Disk = 64L << 30;
            });
        }
        return new LeaderHost(services.BuildServiceProvider(), directory, collector);
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
