using BenchmarkDotNet.Attributes;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Benchmarks.JobStores;

/// <summary>
/// <see cref="InMemoryJobStore"/> load + update of one job on one thread (target ≥ 200,000 per second, i.e. ≤ 5 µs).
/// Run: <c>dotnet run -c Release --project benchmarks/Toil.Runtime.Benchmarks -- --filter *InMemoryJobStore*</c>.
/// </summary>
[ShortRunJob]
[MemoryDiagnoser]
public class InMemoryJobStoreBenchmarks
{
    private InMemoryJobStore _store = null!;
    private string _id = null!;

    /// <summary>Creates the store and one job shaped like a leader's (body, requirements, a child).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _store = new InMemoryJobStore();
        var job = new JobDescription("bench", new JobRequirements { Memory = "2Gi", Cores = 1 }, unitName: "unit");
        job.AttachBody(new JobBody("bench.body", "files-flat/file-0/body"));
        job.AddChild("kind-child/instance-00000001");
        _id = _store.CreateJobAsync(job).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Loads the job (a private copy) and writes it back (optimistic version check + serialization).</summary>
    /// <returns>A task that completes when the update is done.</returns>
    [Benchmark]
    public async ValueTask LoadAndUpdate()
    {
        var job = await _store.LoadJobAsync(_id).ConfigureAwait(false);
        await _store.UpdateJobAsync(job).ConfigureAwait(false);
    }
}
