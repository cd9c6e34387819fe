using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Authoring;

namespace Toil.Runtime.Reliability.Host;

/// <summary>
/// The jobs of the optimistic-concurrency tests (docs/reliability.md, "Load"): a root whose body waits at a gate, so two
/// attempts of it (the leader's and an orphan's) both load the same version of its record and commit in the order a test
/// chooses; then it adds <c>Children</c> leaves, each appending its process ID to <c>leaf-&lt;i&gt;</c>. In-process only: the
/// gates are static.
/// </summary>
public static class ConflictJobs
{
    private static readonly Lock Sync = new();
    private static List<(TaskCompletionSource Entered, TaskCompletionSource Release)> _gates = [];
    private static int _entered;

    /// <summary>Registers the job types.</summary>
    public static IServiceCollection Register(IServiceCollection services) => services.AddToilJob<GatedRootJob>().AddToilJob<LeafJob>();

    /// <summary>Prepares <paramref name="count"/> gates; the n-th body to start waits at the n-th.</summary>
    public static void Arm(int count)
    {
        lock (Sync)
        {
            _gates = [.. Enumerable.Range(0, count).Select(_ => (new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)))];
            _entered = 0;
        }
    }

    /// <summary>Completes when the n-th body (from 0) has started and waits at its gate.</summary>
    public static Task EnteredAsync(int n) => _gates[n].Entered.Task;

    /// <summary>Lets the n-th body (from 0) go on.</summary>
    public static void Release(int n) => _gates[n].Release.TrySetResult();

    /// <summary>The side-effect file of one leaf.</summary>
    public static string LeafFile(string directory, int index) => Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"leaf-{index}"));

    internal static Task PassGateAsync(CancellationToken cancellationToken)
    {
        (TaskCompletionSource Entered, TaskCompletionSource Release) gate;
        lock (Sync)
        {
            if (_entered >= _gates.Count)
            {
                return Task.CompletedTask;
            }

            gate = _gates[_entered++];
        }

        gate.Entered.TrySetResult();
        return gate.Release.Task.WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);
    }
}

/// <summary>The gated root's input.</summary>
public sealed record GatedRootInput(int Children, string Directory);

/// <summary>A leaf's input.</summary>
public sealed record LeafInput(int Index, string Directory);

/// <summary>Appends to <c>root</c>, waits at its gate, then adds the leaves (written by its commit).</summary>
public sealed class GatedRootJob : IJob<GatedRootInput>, IToilJobType
{
    /// <inheritdoc />
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<GatedRootJob, GatedRootInput>(ConflictJson.Default.GatedRootInput, "gated-root");

    /// <inheritdoc />
    public async ValueTask RunAsync(GatedRootInput input, JobContext context, CancellationToken cancellationToken)
    {
        ChaosPoints.Append(Path.Combine(input.Directory, "root"), "run\n");
        await ConflictJobs.PassGateAsync(cancellationToken);
        for (int i = 0; i < input.Children; i++)
        {
            context.AddChild<LeafJob, LeafInput>(new(i, input.Directory));
        }
    }
}

/// <summary>Appends its process ID to its side-effect file, then passes a gate if one is left.</summary>
public sealed class LeafJob : IJob<LeafInput>, IToilJobType
{
    /// <inheritdoc />
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<LeafJob, LeafInput>(ConflictJson.Default.LeafInput, "conflict-leaf");

    /// <inheritdoc />
    public async ValueTask RunAsync(LeafInput input, JobContext context, CancellationToken cancellationToken)
    {
        ChaosPoints.Append(ConflictJobs.LeafFile(input.Directory, input.Index), Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        await ConflictJobs.PassGateAsync(cancellationToken);
    }
}

/// <summary>Source-generated JSON of the conflict-test inputs.</summary>
[JsonSerializable(typeof(GatedRootInput))]
[JsonSerializable(typeof(LeafInput))]
internal sealed partial class ConflictJson : JsonSerializerContext
{
}
