using Toil.Runtime.Reliability.Host;

namespace Toil.Runtime.Reliability;

/// <summary>
/// The CI load run (docs/reliability.md, "Load"): four worker processes at a time and the leader on one FileJobStore run
/// 1,001 jobs; none lost, none run twice, no failed attempt, within a bound. The 10,000-job run is
/// <c>dotnet run -c Release --project tests/Toil.Runtime.Reliability.Host -- load 40 250</c>.
/// </summary>
[TestFixture]
public sealed class LoadTests
{
    [Test]
    [CancelAfter(10 * 60 * 1000)]
    public async Task RunAsync_ThousandJobsOnFourWorkerProcesses_NoneLostNoneRunTwice(CancellationToken cancellationToken)
    {
        var outcome = await LoadRun.RunAsync(chains: 20, length: 50, Path.GetTempPath(), TimeSpan.FromMinutes(8), cancellationToken);

        TestContext.Out.WriteLine(outcome);
        outcome.Succeeded.Should().BeTrue();
        outcome.Missing.Should().Be(0, "every job's body ran (no lost update)");
        outcome.RunTwice.Should().Be(0, "no job ran twice: nothing was killed");
        outcome.FailedAttempts.Should().Be(0, "no attempt failed (no optimistic-concurrency conflict between the leader and the workers)");
    }
}
