using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Authoring;

namespace Toil.Runtime.Reliability.Host;

/// <summary>
/// The pending-jobs workflow (docs/reliability.md, "Load"): a root that adds <c>Count</c> leaves in one commit; each leaf
/// takes <c>Milliseconds</c> and counts itself in <see cref="Completed"/>. In-process only (the count is static).
/// </summary>
public static class PendingJobs
{
    private static long _completed;

    /// <summary>Gets how many leaves finished their body in this process.</summary>
    public static long Completed => Interlocked.Read(ref _completed);

    /// <summary>Registers the job types.</summary>
    public static IServiceCollection Register(IServiceCollection services) => services.AddToilJob<PendingRootJob>().AddToilJob<PendingLeafJob>();

    /// <summary>Sets <see cref="Completed"/> back to zero.</summary>
    public static void Reset() => Interlocked.Exchange(ref _completed, 0);

    internal static void CountOne() => Interlocked.Increment(ref _completed);
}

/// <summary>The pending-jobs root's input: how many leaves and how long each takes.</summary>
public sealed record PendingInput(int Count, int Milliseconds);

/// <summary>Adds every leaf in one commit.</summary>
public sealed class PendingRootJob : IJob<PendingInput>, IToilJobType
{
    /// <inheritdoc />
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<PendingRootJob, PendingInput>(PendingJson.Default.PendingInput, "pending-root");

    /// <inheritdoc />
    public ValueTask RunAsync(PendingInput input, JobContext context, CancellationToken cancellationToken)
    {
        for (int i = 0; i < input.Count; i++)
        {
            context.AddChild<PendingLeafJob, int>(input.Milliseconds);
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>Waits its time, then counts itself.</summary>
public sealed class PendingLeafJob : IJob<int>, IToilJobType
{
    /// <inheritdoc />
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<PendingLeafJob, int>(PendingJson.Default.Int32, "pending-leaf");

    /// <inheritdoc />
    public async ValueTask RunAsync(int input, JobContext context, CancellationToken cancellationToken)
    {
        await Task.Delay(input, cancellationToken);
        PendingJobs.CountOne();
    }
}

/// <summary>Source-generated JSON of the pending-jobs inputs.</summary>
[JsonSerializable(typeof(PendingInput))]
[JsonSerializable(typeof(int))]
internal sealed partial class PendingJson : JsonSerializerContext
{
}
