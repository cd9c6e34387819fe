namespace Toil.Runtime.Benchmarks;

/// <summary>
/// A workload of the harness (<c>dotnet run -c Release --project benchmarks/Toil.Runtime.Benchmarks -- workload NAME</c>).
/// A workload measures a shape and, in the same run, the floor of the hardware it stands on, and prints both and
/// their ratio (docs/performance.md). One class per workload, in its own file; found by <see cref="Name"/>.
/// </summary>
public interface IWorkload
{
    /// <summary>The name on the command line.</summary>
    string Name { get; }

    /// <summary>One line saying what it measures.</summary>
    string Description { get; }

    /// <summary>Runs the workload and prints its results; returns the process exit code.</summary>
    Task<int> RunAsync(string[] args);
}
