namespace Toil.Runtime.Testing;

/// <summary>What a job that returns a value, and every job it led to, did when <see cref="JobTestHarness"/> ran them.</summary>
/// <typeparam name="TOutput">The first job's return type.</typeparam>
public sealed class JobGraphTestRun<TOutput> : JobGraphTestRun
{
    internal JobGraphTestRun(IReadOnlyList<JobTestRun> runs, TOutput result)
        : base(runs) => Result = result;

    /// <summary>Gets the value the first job returned.</summary>
    public TOutput Result { get; }
}
