using Toil.Runtime.FileStores;

namespace Toil.Runtime.Testing;

/// <summary>What a job and every job it led to did when <see cref="JobTestHarness"/> ran them as a leader would.</summary>
public class JobGraphTestRun
{
    internal JobGraphTestRun(IReadOnlyList<JobTestRun> runs) => Runs = runs;

    /// <summary>Gets every job run, in the order they ran (the first is the job the graph started from).</summary>
    public IReadOnlyList<JobTestRun> Runs { get; }

    /// <summary>Gets every message any job sent to the leader, in the order the jobs ran.</summary>
    public IReadOnlyList<LeaderMessage> LeaderMessages => [.. Runs.SelectMany(r => r.LeaderMessages)];

    /// <summary>Gets the runs of the jobs of one registered type, in the order they ran.</summary>
    /// <param name="typeName">The registered job type name.</param>
    /// <returns>The runs.</returns>
    public IReadOnlyList<JobTestRun> RunsOf(string typeName) => [.. Runs.Where(r => string.Equals(r.TypeName, typeName, StringComparison.Ordinal))];
}
