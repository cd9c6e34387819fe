using System.Text.Json;
using System.Text.Json.Serialization;
using Toil.Runtime.Authoring;

namespace Toil.Runtime.Benchmarks.Worker;

/// <summary>
/// A job whose input is how many jobs are left in its chain: it adds one child like itself (same requirements) for
/// the rest, so one worker run chains through the whole chain while the store holds only a couple of jobs at a time.
/// Calls <see cref="OnRun"/>, if set, with its 1-based run number.
/// </summary>
public sealed class GrowingChainJob : IJob<int>, IToilJobType
{
    /// <summary>The registered name.</summary>
    public const string Name = "bench-growing-chain";

    private static long s_runs;

    /// <inheritdoc />
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<GrowingChainJob, int>(GrowingChainJobJson.Default.Int32, Name);

    /// <summary>Called by every run (the memory workload samples the heap from here).</summary>
    public static Action<long>? OnRun { get; set; }

    /// <inheritdoc />
    public ValueTask RunAsync(int input, JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        long n = Interlocked.Increment(ref s_runs);
        OnRun?.Invoke(n);
        if (input > 1)
        {
            context.AddChild<GrowingChainJob, int>(input - 1);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Resets the run number.</summary>
    public static void ResetRuns() => Interlocked.Exchange(ref s_runs, 0);

    /// <summary>A job body document for this type (what the authoring layer stores) with <paramref name="remaining"/> as input.</summary>
    internal static byte[] BodyDocument(int remaining) =>
        JobBodyDocument.Write(new PromiseWriter([]), Name, json => JsonSerializer.Serialize(json, remaining, GrowingChainJobJson.Default.Int32), []);
}

/// <summary>Source-generated JSON of the growing chain job's input.</summary>
[JsonSerializable(typeof(int))]
internal sealed partial class GrowingChainJobJson : JsonSerializerContext
{
}
