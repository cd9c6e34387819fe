using System.Globalization;
using System.Text;

namespace Toil.Runtime.Reliability.Host;

/// <summary>What a chaos campaign did and what held: kills by phase, workflows, restarts, and every violation found.</summary>
public sealed class ChaosReport
{
    /// <summary>Kills by where they landed: <c>worker start-up</c>, <c>worker body</c>, <c>worker commit</c>, <c>leader</c>; the worker ones also by cause.</summary>
    public SortedDictionary<string, int> Kills { get; } = new(StringComparer.Ordinal);

    /// <summary>All kills.</summary>
    public int TotalKills { get; set; }

    /// <summary>Workflows that finished and were checked.</summary>
    public int WorkflowsCompleted { get; set; }

    /// <summary>Leader runs started, all workflows together.</summary>
    public int LeaderRuns { get; set; }

    /// <summary>Leader runs that ended with failed jobs (retries used up by kills) and were restarted.</summary>
    public int FailedRunsRestarted { get; set; }

    /// <summary>Worker processes started.</summary>
    public int WorkerProcesses { get; set; }

    /// <summary>Of <see cref="WorkerProcesses"/>, the warm pool's serving processes (<c>worker --serve</c>; 0 without a pool).</summary>
    public int ServingWorkerProcesses { get; set; }

    /// <summary>Job bodies that logged <c>ok</c> more than once, each explained by a kill.</summary>
    public int RepeatsExplainedByKills { get; set; }

    /// <summary>Deferred-function runs observed (each body's marker, at least once).</summary>
    public int DeferredRuns { get; set; }

    /// <summary>Checkpoint restarts the leaders reported.</summary>
    public int CheckpointRestarts { get; set; }

    /// <summary>Workflows where a worker orphaned by a killed leader outlived the last leader (its directories are the next worker's to clean).</summary>
    public int LateOrphanWorkflows { get; set; }

    /// <summary>Killed late orphans' directories the campaign removed as the next clean-up on the node would.</summary>
    public int LateOrphanDirectories { get; set; }

    /// <summary>Empty output directories of killed leaders (toil-local-process-*) the campaign removed.</summary>
    public int KilledLeaderOutputDirectories { get; set; }

    /// <summary>Every check that did not hold, with the workflow and the evidence.</summary>
    public List<string> Violations { get; } = [];

    /// <summary>How long the campaign took.</summary>
    public TimeSpan Elapsed { get; set; }

    /// <summary>Adds one kill.</summary>
    public void CountKill(string what)
    {
        Kills[what] = Kills.GetValueOrDefault(what) + 1;
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"kills {TotalKills} in {Elapsed:hh\\:mm\\:ss}; workflows completed {WorkflowsCompleted}; leader runs {LeaderRuns}; worker processes {WorkerProcesses} ({ServingWorkerProcesses} of them a warm pool's)");
        foreach (var (what, count) in Kills)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {what}: {count}");
        }

        text.AppendLine(CultureInfo.InvariantCulture,
            $"failed runs restarted {FailedRunsRestarted}; checkpoint restarts {CheckpointRestarts}; repeats explained by kills {RepeatsExplainedByKills}; deferred runs {DeferredRuns}; late-orphan workflows {LateOrphanWorkflows} (their killed directories {LateOrphanDirectories}); killed leaders' empty output directories {KilledLeaderOutputDirectories}");
        text.AppendLine(CultureInfo.InvariantCulture, $"violations {Violations.Count}");
        foreach (string v in Violations.Take(50))
        {
            text.AppendLine("  " + v);
        }

        return text.ToString();
    }
}
