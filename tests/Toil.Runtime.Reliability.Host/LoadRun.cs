using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Jobs;
using Toil.Runtime.Leader.Workflows;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Reliability.Host;

/// <summary>
/// The load run (docs/reliability.md, "Load"): a leader in this process and four worker processes at a time (the
/// local-process batch system with 4 slots) on one FileJobStore run <c>chains × length + 1</c> jobs; then every job's
/// side-effect file must hold exactly one line (none lost, none run twice: no process is killed here).
/// </summary>
public static class LoadRun
{
    /// <summary>What a load run found.</summary>
    public sealed record Outcome(int Jobs, int Missing, int RunTwice, int FailedAttempts, int AttemptsIssued, bool Succeeded, TimeSpan Elapsed, int Conflicts = 0)
    {
        /// <inheritdoc />
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"jobs {Jobs}: succeeded {Succeeded}, missing {Missing}, run twice {RunTwice}, attempts {AttemptsIssued}, failed attempts {FailedAttempts}, optimistic-concurrency conflicts {Conflicts}, {Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>Runs it in a fresh directory under <paramref name="parent"/> (deleted afterwards), bounded by <paramref name="bound"/>.</summary>
    public static async Task<Outcome> RunAsync(int chains, int length, string parent, TimeSpan bound, CancellationToken cancellationToken = default)
    {
        string dir = Directory.CreateDirectory(Path.Combine(parent, "toil-load-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        try
        {
            string work = Directory.CreateDirectory(Path.Combine(dir, "work")).FullName;
            string effects = Directory.CreateDirectory(Path.Combine(dir, "effects")).FullName;
            await using var provider = LoadJobs.Register(new ServiceCollection().AddLogging())
                .AddToilLeader(o =>
                {
                    o.JobStore = "file:" + Path.Combine(dir, "store");
                    o.Config = new WorkflowConfig { RetryCount = 0, RetryBackoffSeconds = 0 };
                    o.StatsPollInterval = TimeSpan.FromMilliseconds(200);
                    o.WorkerEnvironment["TOIL_WORKDIR"] = work;
                    o.WorkerEnvironment["TOIL_COORDINATION_DIR"] = work;
                })
                .AddLocalProcessBatchSystem(o =>
                {
                    o.WorkerCommand = ["dotnet", typeof(LoadRun).Assembly.Location, "worker"];
                    o.Cores = 4;
                    o.Memory = 16L << 30;
                    o.Disk = 16L << 30;
                })
                .Configure<WorkerOptions>(o => { o.WorkDir = work; o.CoordinationDir = work; })
                .BuildServiceProvider();
            var clock = Stopwatch.StartNew();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(bound);
            var result = await provider.GetRequiredService<IWorkflowRunner>().RunWorkflowAsync<LoadRootJob, LoadInput>(new(chains, length, effects), timeout.Token);
            int missing = 0;
            int twice = 0;
            for (int c = 0; c < chains; c++)
            {
                for (int l = 0; l < length; l++)
                {
                    string file = LoadJobs.EffectFile(effects, c, l);
                    int runs = File.Exists(file) ? File.ReadAllLines(file).Length : 0;
                    missing += runs == 0 ? 1 : 0;
                    twice += runs > 1 ? 1 : 0;
                }
            }

            return new Outcome(chains * length + 1, missing, twice, result.FailedAttempts, result.AttemptsIssued, result.Succeeded, clock.Elapsed, result.ConcurrentModifications);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
