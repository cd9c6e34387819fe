using BenchmarkDotNet.Attributes;
using Toil.Runtime.IO;

namespace Toil.Runtime.Benchmarks.JobStores;

/// <summary>
/// What the file job store's link check costs per path (one <c>readlink</c> per component below the root), beside one
/// <c>stat</c> (<see cref="File.Exists(string)"/>) of the same path for scale. The path is a job's lock file: four
/// components below the root, as most job operations check.
/// Run: <c>dotnet run -c Release --project benchmarks/Toil.Runtime.Benchmarks -- --filter *SymbolicLinkCheck*</c>.
/// </summary>
[ShortRunJob]
[MemoryDiagnoser]
public class SymbolicLinkCheckBenchmarks
{
    private string _root = null!;
    private string _lock = null!;

    /// <summary>Creates <c>root/jobs/kind-bench/instance-…/job.lock</c> in the temp directory.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "toil-bench-links-" + Guid.NewGuid().ToString("N"));
        string dir = Path.Combine(_root, "jobs", "kind-bench", "instance-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        _lock = Path.Combine(dir, "job.lock");
        File.WriteAllBytes(_lock, []);
    }

    /// <summary>Removes the directory.</summary>
    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    /// <summary>The link check of a four-component path.</summary>
    /// <returns>The link found (none).</returns>
    [Benchmark]
    public string? FindLinkBelowRoot() => SymbolicLinks.FindBelow(_root, _lock);

    /// <summary>One stat of the same path, for scale.</summary>
    /// <returns>Whether it exists.</returns>
    [Benchmark(Baseline = true)]
    public bool StatOnce() => File.Exists(_lock);
}
