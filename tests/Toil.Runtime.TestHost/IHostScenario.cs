namespace Toil.Runtime.TestHost;

/// <summary>
/// A scenario the integration tests run in a child process (so they can kill it, redirect its
/// descriptors, or observe its exit code). Add one class per scenario in its own file; it is found
/// by <see cref="Name"/>.
/// </summary>
public interface IHostScenario
{
    /// <summary>The first command-line argument that selects this scenario.</summary>
    string Name { get; }

    /// <summary>Runs the scenario with the remaining arguments and returns the process exit code.</summary>
    Task<int> RunAsync(string[] args);
}
