using System.Text.Json;
using System.Text.Json.Serialization;
using Toil.Runtime.Authoring;

namespace Toil.Runtime.Benchmarks.Worker;

/// <summary>The job of the worker workloads: does nothing but call <see cref="OnRun"/>, if set, with its 1-based run number.</summary>
public sealed class TrivialJob : IJob<string>, IToilJobType
{
    /// <summary>The registered name.</summary>
    public const string Name = "bench-trivial";

    private static long s_runs;

    /// <inheritdoc />
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<TrivialJob, string>(TrivialJobJson.Default.String, Name);

    /// <summary>Called by every run (the memory workload samples the heap from here).</summary>
    public static Action<long>? OnRun { get; set; }

    /// <inheritdoc />
    public ValueTask RunAsync(string input, JobContext context, CancellationToken cancellationToken)
    {
        long n = Interlocked.Increment(ref s_runs);
        OnRun?.Invoke(n);
        return ValueTask.CompletedTask;
    }

    /// <summary>Resets the run number.</summary>
    public static void ResetRuns() => Interlocked.Exchange(ref s_runs, 0);

    /// <summary>A job body document for this type (what the authoring layer stores), input <c>"x"</c>.</summary>
    internal static byte[] BodyDocument() =>
        JobBodyDocument.Write(new PromiseWriter([]), Name, json => JsonSerializer.Serialize(json, "x", TrivialJobJson.Default.String), []);
}

/// <summary>Source-generated JSON of the trivial job's input.</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class TrivialJobJson : JsonSerializerContext
{
}
