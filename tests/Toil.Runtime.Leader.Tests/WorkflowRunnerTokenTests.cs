using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Authoring;
using Toil.Runtime.Leader.Workflows;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Leader.Tests;

/// <summary><see cref="IWorkflowRunner.RunAsync{TJob, TInput, TOutput}(JobType{TJob, TInput, TOutput}, TInput, CancellationToken)"/>: the root job named by its token, no type arguments.</summary>
public sealed class WorkflowRunnerTokenTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);

    [Test]
    public async Task RunAsync_Token_InfersTheTypesAndReturnsTheRootValue()
    {
        await using var host = await TokenHost.CreateAsync(services => services.AddToilJob(TokenSquare.Type));

        int nine = await host.Runner.RunAsync(TokenSquare.Type, 3).WaitAsync(Bound);

        nine.Should().Be(9);
    }

    [Test]
    public async Task RunAsync_UnregisteredToken_ThrowsUnknownJobTypeException()
    {
        await using var host = await TokenHost.CreateAsync(_ => { });

        var act = () => host.Runner.RunAsync(TokenSquare.Type, 3).WaitAsync(Bound);

        (await act.Should().ThrowAsync<UnknownJobTypeException>()).Which.TypeName.Should().Be("leader-token-square");
    }

    [Test]
    public async Task RunAsync_RestartAfterLeaderDiedBeforeItsFirstIssue_ReturnsTheRootValue()
    {
        // What a leader killed right after creating the root job leaves: the root and nothing run.
        string store = Path.Combine(Directory.CreateTempSubdirectory("toil-leader-token-store-").FullName, "store");
        try
        {
            var registry = new JobTypeRegistry(TokenSquare.Type);
            await using (var created = await JobStores.FileJobStore.CreateAsync(new JobStores.FileJobStoreOptions { Locator = "file:" + store }, new Jobs.WorkflowConfig()))
            {
                await created.CreateRootJobAsync(registry, TokenSquare.Type, 5);
            }

            await using var host = await TokenHost.CreateAsync(services => services.AddToilJob(TokenSquare.Type), store);

            int value = await host.Runner.RunAsync(TokenSquare.Type, 5).WaitAsync(Bound);

            value.Should().Be(25, "the restarted leader finds the root's result file and runs the root");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(store)!, recursive: true);
        }
    }

    private sealed class TokenHost(ServiceProvider services, string directory) : IAsyncDisposable
    {
        public IWorkflowRunner Runner => services.GetRequiredService<IWorkflowRunner>();

        public static Task<TokenHost> CreateAsync(Action<IServiceCollection> jobs, string? restartStore = null)
        {
            string directory = Directory.CreateTempSubdirectory("toil-leader-token-").FullName;
            var services = new ServiceCollection().AddLogging();
            services.AddToilLeader(o =>
            {
                if (restartStore is not null)
                {
                    o.JobStore = "file:" + restartStore;
                    o.Restart = true;
                }

                o.WorkerEnvironment["TOIL_WORKDIR"] = directory;
                o.WorkerEnvironment["TOIL_COORDINATION_DIR"] = directory;
            });
            services.Configure<WorkerOptions>(o =>
            {
                o.WorkDir = directory;
                o.CoordinationDir = directory;
            });
            jobs(services);
            return Task.FromResult(new TokenHost(services.BuildServiceProvider(), directory));
        }

        public async ValueTask DisposeAsync()
        {
            await services.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
    }
}

/// <summary>Squares its input.</summary>
public sealed class TokenSquare : IJob<int, int>
{
    public static JobType<TokenSquare, int, int> Type { get; } =
        JobType.Create<TokenSquare, int, int>(LeaderTokenJson.Default.Int32, LeaderTokenJson.Default.Int32, "leader-token-square");

    public ValueTask<int> RunAsync(int input, JobContext context, CancellationToken cancellationToken) => ValueTask.FromResult(input * input);
}

[JsonSerializable(typeof(int))]
internal sealed partial class LeaderTokenJson : JsonSerializerContext;
