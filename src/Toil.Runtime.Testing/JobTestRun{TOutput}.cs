namespace Toil.Runtime.Testing;

/// <summary>What one job that returns a value did when <see cref="JobTestHarness"/> ran it.</summary>
/// <typeparam name="TOutput">The job's return type.</typeparam>
public sealed class JobTestRun<TOutput> : JobTestRun
{
    internal JobTestRun(JobTestRun run, TOutput result)
        : base(run) => Result = result;

    /// <summary>Gets the value the job returned (as its successors would read it: through JSON).</summary>
    public TOutput Result { get; }
}
