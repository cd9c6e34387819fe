using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Toil.Runtime.Authoring;
using Toil.Runtime.Jobs;
using Toil.Runtime.Leader.Progress;
using Toil.Runtime.Leader.Workflows;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Leader.Tests.Progress;

/// <summary>
/// A small workflow with every shape the timeline draws: a fan-out of three leaves (display names with markup and a
/// control character), a chained pair, and a job that fails on its first attempt and succeeds when retried.
/// </summary>
public sealed class ShapesRootJob : IJob<string>, IToilJobType
{
    public const string LeafName = "leaf <b>&\"x\"</b> \u001b[31m";

    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<ShapesRootJob, string>(ProgressTestJson.Default.String, "shapes-root");

    internal static JobRequirements Small { get; } = new() { Cores = 0.5, Memory = "64Mi", Disk = "1Mi" };

    public ValueTask RunAsync(string input, JobContext context, CancellationToken cancellationToken)
    {
        for (int i = 0; i < 3; i++)
        {
            context.AddChild<ShapesLeafJob, string>(i.ToString(CultureInfo.InvariantCulture), Small, displayName: $"{LeafName}{i}");
        }

        context.AddChild<ShapesHeadJob, string>("head", Small);
        context.AddChild<ShapesFlakyJob, string>(Path.Combine(input, "flaky-attempts"), Small);
        return ValueTask.CompletedTask;
    }
}

/// <summary>A leaf of the fan-out; takes long enough to be seen running.</summary>
public sealed class ShapesLeafJob : IJob<string>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<ShapesLeafJob, string>(ProgressTestJson.Default.String, "shapes-leaf");

    public async ValueTask RunAsync(string input, JobContext context, CancellationToken cancellationToken) =>
        await Task.Delay(TimeSpan.FromMilliseconds(400), cancellationToken);
}

/// <summary>The first of a chained pair: adds the tail with its own requirements, so the worker runs it next.</summary>
public sealed class ShapesHeadJob : IJob<string>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<ShapesHeadJob, string>(ProgressTestJson.Default.String, "shapes-head");

    public async ValueTask RunAsync(string input, JobContext context, CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        context.AddChild<ShapesTailJob, string>("tail", ShapesRootJob.Small, displayName: "tail of the chain");
    }
}

/// <summary>The chained tail.</summary>
public sealed class ShapesTailJob : IJob<string>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<ShapesTailJob, string>(ProgressTestJson.Default.String, "shapes-tail");

    public async ValueTask RunAsync(string input, JobContext context, CancellationToken cancellationToken) =>
        await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
}

/// <summary>Fails on its first attempt (counted in a file), succeeds on the second.</summary>
public sealed class ShapesFlakyJob : IJob<string>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<ShapesFlakyJob, string>(ProgressTestJson.Default.String, "shapes-flaky");

    public async ValueTask RunAsync(string input, JobContext context, CancellationToken cancellationToken)
    {
        bool first = !File.Exists(input);
        await File.WriteAllTextAsync(input, "ran", cancellationToken);
        if (first)
        {
            throw new IOException("first attempt fails");
        }
    }
}

[JsonSerializable(typeof(string))]
internal sealed partial class ProgressTestJson : JsonSerializerContext
{
}

/// <summary>Collects what a run tells its observers.</summary>
internal sealed class RecordingObserver : IWorkflowObserver
{
    private readonly Lock _lock = new();
    private readonly List<WorkflowProgress> _events = [];

    public TaskCompletionSource<WorkflowResult> Completed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<WorkflowProgress> Events
    {
        get
        {
            lock (_lock)
            {
                return [.. _events];
            }
        }
    }

    public void OnProgress(in WorkflowProgress progress)
    {
        lock (_lock)
        {
            _events.Add(progress);
        }
    }

    public void OnCompleted(WorkflowResult result) => Completed.TrySetResult(result);
}

/// <summary>Services for a run of <see cref="ShapesRootJob"/> on the in-process batch system.</summary>
internal sealed class ShapesHost : IAsyncDisposable
{
    private ShapesHost(ServiceProvider services, string directory, FakeLogCollector logs)
    {
        Services = services;
        Directory = directory;
        Logs = logs;
    }

    public ServiceProvider Services { get; }

    public string Directory { get; }

    public FakeLogCollector Logs { get; }

    public static ShapesHost Create(Action<LeaderOptions>? leader = null, params IWorkflowObserver[] observers)
    {
        string directory = System.IO.Directory.CreateTempSubdirectory("toil-progress-test-").FullName;
        string work = System.IO.Directory.CreateDirectory(Path.Combine(directory, "work")).FullName;
        var collector = new FakeLogCollector();
        var services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new FakeLoggerProvider(collector)))
            .AddToilLeader(o =>
            {
                o.JobStore = "file:" + Path.Combine(directory, "store");
                o.Config = new WorkflowConfig { RetryCount = 1, RetryBackoffSeconds = 0 };
                o.StatsPollInterval = TimeSpan.FromMilliseconds(100);
                o.WorkerEnvironment["TOIL_WORKDIR"] = work;
                o.WorkerEnvironment["TOIL_COORDINATION_DIR"] = work;
                leader?.Invoke(o);
            })
            .Configure<WorkerOptions>(o =>
            {
                o.WorkDir = work;
                o.CoordinationDir = work;
            })
            .ConfigureInProcessBatchSystem(o =>
            {
                o.MaxCores = 4;
                o.MaxMemory = 64L << 30;
                o.MaxDisk = 64L << 30;
            })
            .AddToilJob<ShapesRootJob>().AddToilJob<ShapesLeafJob>().AddToilJob<ShapesHeadJob>().AddToilJob<ShapesTailJob>().AddToilJob<ShapesFlakyJob>();
        foreach (var observer in observers)
        {
            services.AddSingleton(observer);
        }

        return new ShapesHost(services.BuildServiceProvider(), directory, collector);
    }

    public Task<WorkflowResult> RunAsync() =>
        Services.GetRequiredService<IWorkflowRunner>().RunWorkflowAsync<ShapesRootJob, string>(Directory).WaitAsync(TimeSpan.FromSeconds(60));

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
