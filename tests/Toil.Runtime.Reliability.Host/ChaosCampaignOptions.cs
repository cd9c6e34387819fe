namespace Toil.Runtime.Reliability.Host;

/// <summary>What a chaos campaign does: how many kills it aims for, how likely each kill point is, and its bounds.</summary>
public sealed class ChaosCampaignOptions
{
    /// <summary>The campaign ends once this many processes were killed (workers and leaders).</summary>
    public int TargetKills { get; set; } = 20;

    /// <summary>The seed of the driver's choices (leader kills); the workers' own choices are not seeded.</summary>
    public int Seed { get; set; } = 20261204;

    /// <summary>The fan-out of each workflow.</summary>
    public int FanOut { get; set; } = 4;

    /// <summary>The probability that a worker process arms a random-delay kill at start-up.</summary>
    public double StartupKill { get; set; } = 0.08;

    /// <summary>The largest random delay of a start-up kill, in milliseconds.</summary>
    public int StartupDelayMs { get; set; } = 700;

    /// <summary>The probability that a job body kills its process in its middle.</summary>
    public double BodyKill { get; set; } = 0.05;

    /// <summary>The probability that a process is killed just after a body returned (while it commits).</summary>
    public double CommitKill { get; set; } = 0.08;

    /// <summary>The largest delay of a commit kill after the body returned, in milliseconds.</summary>
    public int CommitDelayMs { get; set; } = 40;

    /// <summary>The probability that a leader run (one generation) is SIGKILLed after a random delay.</summary>
    public double LeaderKill { get; set; } = 0.3;

    /// <summary>Whether the first leader of the campaign is always killed (so a short campaign kills at least one leader).</summary>
    public bool KillFirstLeader { get; set; } = true;

    /// <summary>The largest random delay before a leader is killed, in milliseconds.</summary>
    public int LeaderDelayMs { get; set; } = 6000;

    /// <summary>The most leader runs of one workflow before it counts as not finishing.</summary>
    public int MaxGenerations { get; set; } = 40;

    /// <summary>How long one leader run may take before it counts as hung (and is killed).</summary>
    public TimeSpan LeaderBound { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>The campaign stops starting workflows after this long.</summary>
    public TimeSpan TimeBound { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Where the workflows' stores, work directories and effects go (a workflow that held is deleted).</summary>
    public string Directory { get; set; } = Path.GetTempPath();

    /// <summary>
    /// The leaders' warm worker pool (<c>LocalProcessBatchSystemOptions.WarmWorkers</c>, docs/batch-systems.md#warm-worker-pool):
    /// 0 starts one worker process per attempt; more keeps that many serving processes, each running attempts one after
    /// another, so a kill point ends whichever attempt its process runs and the pool replaces the process.
    /// </summary>
    public int WarmWorkers { get; set; }

    /// <summary>Receives one line per workflow and a summary; <see langword="null"/> for none.</summary>
    public TextWriter? Progress { get; set; }
}
