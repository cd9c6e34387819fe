using Toil.Runtime.Reliability.Host;

namespace Toil.Runtime.Reliability;

/// <summary>
/// The short chaos campaign of CI (docs/reliability.md, "Chaos campaign"): about 20 kills of worker processes (start-up,
/// body, commit) and leaders; every workflow must finish with the right output and pass every check. The long campaign
/// is <c>dotnet run -c Release --project tests/Toil.Runtime.Reliability.Host -- chaos --kills 300</c>.
/// </summary>
[TestFixture]
public sealed class ChaosCampaignTests
{
    /// <param name="warmWorkers">
    /// The leaders' warm worker pool (docs/batch-systems.md#warm-worker-pool): 0 gives every attempt a process of its own;
    /// with a pool a kill point ends whichever attempt its serving process runs, the pool replaces the process, and every
    /// check still holds.
    /// </param>
    /// <param name="cancellationToken">Bounds the campaign.</param>
    [TestCase(0)]
    [TestCase(2)]
    [CancelAfter(15 * 60 * 1000)]
    public async Task RunAsync_TwentyKillsOfWorkersAndLeaders_EveryWorkflowFinishesAndEveryCheckHolds(int warmWorkers, CancellationToken cancellationToken)
    {
        var options = new ChaosCampaignOptions
        {
            TargetKills = 20,
            StartupKill = 0.15,
            BodyKill = 0.1,
            CommitKill = 0.15,
            WarmWorkers = warmWorkers,
            TimeBound = TimeSpan.FromMinutes(8),
            Progress = TestContext.Out,
        };

        var report = await new ChaosCampaign(options).RunAsync(cancellationToken);

        TestContext.Out.WriteLine(report);
        report.Violations.Should().BeEmpty();
        report.TotalKills.Should().BeGreaterThanOrEqualTo(20, "the campaign runs until it has killed 20 processes (or its 8-minute bound)");
        report.Kills.Should().ContainKey("leader", "the first leader of the campaign is always killed");
        report.Kills.Keys.Should().Contain(k => k.StartsWith("worker", StringComparison.Ordinal));
        report.WorkflowsCompleted.Should().BeGreaterThan(0);
        if (warmWorkers == 0)
        {
            report.ServingWorkerProcesses.Should().Be(0, "without a warm pool every attempt has a process of its own");
        }
        else
        {
            report.ServingWorkerProcesses.Should().BeGreaterThan(0, "the leaders' attempts went to the warm pool's serving processes");
        }
    }
}
