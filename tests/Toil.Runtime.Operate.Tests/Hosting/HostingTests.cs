using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Toil.Runtime.Hosting.Workflows;
using Toil.Runtime.Leader.BatchSystems;
using Toil.Runtime.Leader.TestHost;
using Toil.Runtime.Leader.Workflows;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Operate.Tests.Hosting;

/// <summary>The leader in a generic host: options from configuration, a workflow as a hosted service, graceful stop and restart.</summary>
[TestFixture]
[Platform(Exclude = "Win", Reason = "The toil tool (used to inspect the store) is a Unix program.")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class HostingTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("toil-hosting-test-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void AddToilLeader_FromConfiguration_BindsJobStoreLeaderAndBatchSystem()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Toil:JobStore"] = "file:/data/run-42",
            ["Toil:Leader:Restart"] = "true",
            ["Toil:Leader:Clean"] = "Never",
            ["Toil:Leader:StatsPollInterval"] = "00:00:02",
            ["Toil:Leader:WorkerEnvironment:GREETING"] = "hello",
            ["Toil:BatchSystem:MaxCores"] = "3",
            ["Toil:BatchSystem:MaxMemory"] = "1073741824",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddToilLeader(configuration.GetSection("Toil"));
        services.Configure<LeaderOptions>(o => o.StopOnFirstFailure = true);
        using var provider = services.BuildServiceProvider();

        var leader = provider.GetRequiredService<IOptions<LeaderOptions>>().Value;
        var slots = provider.GetRequiredService<IOptions<InProcessBatchSystemOptions>>().Value;

        leader.JobStore.Should().Be("file:/data/run-42");
        leader.Restart.Should().BeTrue();
        leader.Clean.Should().Be(CleanPolicy.Never);
        leader.StatsPollInterval.Should().Be(TimeSpan.FromSeconds(2));
        leader.WorkerEnvironment.Should().Contain("GREETING", "hello");
        leader.StopOnFirstFailure.Should().BeTrue("code-based configuration composes with the binding");
        slots.MaxCores.Should().Be(3);
        slots.MaxMemory.Should().Be(1L << 30);
    }

    [Test]
    public void AddToilLeader_InvalidConfiguration_FailsValidation()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Toil:Leader:StatsPollInterval"] = "-00:00:01",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddToilLeader(configuration.GetSection("Toil"));
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptions<LeaderOptions>>().Value;

        act.Should().Throw<OptionsValidationException>().WithMessage("*StatsPollInterval*");
    }

    [Test]
    public async Task HostedWorkflow_HostStoppedMidRun_JobKilledDeferredRunStoreRestartsToSuccess()
    {
        string gate = Path.Combine(_directory, "gate");
        string store = Path.Combine(_directory, "store");

        using (var host = BuildHost(store, gate))
        {
            await host.StartAsync();
            var deadline = DateTime.UtcNow + Bound;
            while (!File.Exists(gate + ".started") && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            File.Exists(gate + ".started").Should().BeTrue("the job is running when the host is told to stop");
            await host.StopAsync().WaitAsync(Bound);

            var run = host.Services.GetRequiredService<ToilWorkflowRun>();
            await run.Invoking(r => r.Completion).Should().ThrowAsync<OperationCanceledException>();
            File.Exists(gate + ".deferred-ran").Should().BeTrue("the killed job's deferred function ran when it ended");
        }

        var (code, status, _) = await Cli.Toil.RunAsync("status", "file:" + store);
        code.Should().Be(0);
        status.Should().Contain("Leader      not running").And.Contain("to run or running       1");

        await File.WriteAllTextAsync(gate, string.Empty);
        using (var host = BuildHost(store, gate))
        {
            await host.StartAsync();
            var result = await host.Services.GetRequiredService<ToilWorkflowRun>().Completion.WaitAsync(Bound);
            await host.StopAsync().WaitAsync(Bound);

            result.Succeeded.Should().BeTrue();
            File.ReadAllText(gate + ".started").Should().Be("xx", "the killed attempt's job ran again after the restart");
        }

        Directory.Exists(store).Should().BeFalse("the restarted run succeeded and cleaned its store (OnSuccess)");
    }

    private IHost BuildHost(string store, string gate)
    {
        string work = Directory.CreateDirectory(Path.Combine(_directory, "work")).FullName;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Toil:JobStore"] = "file:" + store,
            ["Toil:Leader:Restart"] = "true",
            ["Toil:Leader:StatsPollInterval"] = "00:00:00.100",
            ["Toil:Leader:WorkerEnvironment:TOIL_WORKDIR"] = work,
            ["Toil:Leader:WorkerEnvironment:TOIL_COORDINATION_DIR"] = work,
            ["Toil:BatchSystem:MaxCores"] = "2",
            ["Toil:BatchSystem:MaxMemory"] = "68719476736",
            ["Toil:BatchSystem:MaxDisk"] = "68719476736",
            ["Toil:BatchSystem:KillGracePeriod"] = "00:00:05",
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddToilLeader(builder.Configuration.GetSection("Toil"));
        builder.Services.Configure<WorkerOptions>(o =>
        {
            o.WorkDir = work;
            o.CoordinationDir = work;
        });
        WorkflowTestJobs.Register(builder.Services);
        OperateJobs.Register(builder.Services);
        builder.Services.AddToilWorkflow<WaitForFileJob, string>(_ => gate);
        return builder.Build();
    }
}
