using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Authoring;

namespace Toil.Runtime.Leader.TestHost;

/// <summary>The crash test's workflow: a fan-out of squares, a chained pair per square, and a follow-on that writes the sum.</summary>
public static class HostJobs
{
    public static void Register(IServiceCollection services) =>
        WorkflowTestJobs.Register(services.AddToilJob<FanJob>().AddToilJob<SquareJob>().AddToilJob<TotalJob>().AddToilJob<EchoJob>());
}

/// <summary>Fans out one square per number and a follow-on that adds them up; returns how many it fanned out.</summary>
public sealed class FanJob : IJob<FanInput, int>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<FanJob, FanInput, int>(HostJson.Default.FanInput, HostJson.Default.Int32, "fan");

    public ValueTask<int> RunAsync(FanInput input, JobContext context, CancellationToken cancellationToken)
    {
        var squares = Enumerable.Range(1, input.N).Select(i => context.AddChild<SquareJob, int, int>(i)).ToList();
        context.AddFollowOn<TotalJob, TotalInput>(new(squares, input.OutFile));
        return ValueTask.FromResult(input.N);
    }
}

/// <summary>Returns the square of its input and adds a child (chained into the same worker: equal requirements).</summary>
public sealed class SquareJob : IJob<int, int>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<SquareJob, int, int>(HostJson.Default.Int32, HostJson.Default.Int32, "square");

    public ValueTask<int> RunAsync(int input, JobContext context, CancellationToken cancellationToken)
    {
        context.AddChild<EchoJob, int>(input);
        return ValueTask.FromResult(input * input);
    }
}

/// <summary>Does nothing but tell the leader its number.</summary>
public sealed class EchoJob : IJob<int>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<EchoJob, int>(HostJson.Default.Int32, "echo");

    public ValueTask RunAsync(int input, JobContext context, CancellationToken cancellationToken)
    {
        context.LogToLeader(input.ToString(CultureInfo.InvariantCulture));
        return ValueTask.CompletedTask;
    }
}

/// <summary>Writes the sum of the promised squares to the output file (overwriting: a re-run writes the same).</summary>
public sealed class TotalJob : IJob<TotalInput>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<TotalJob, TotalInput>(HostJson.Default.TotalInput, "total");

    /// <summary>A file the job waits for (at most 60 s) before it writes, when set: holds a leader at work for a test.</summary>
    public const string HoldUntilVariable = "TOIL_TEST_HOLD_UNTIL";

    public async ValueTask RunAsync(TotalInput input, JobContext context, CancellationToken cancellationToken)
    {
        if (Environment.GetEnvironmentVariable(HoldUntilVariable) is { Length: > 0 } gate)
        {
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bound.CancelAfter(TimeSpan.FromSeconds(60));
            while (!File.Exists(gate))
            {
                await Task.Delay(50, bound.Token);
            }
        }

        await File.WriteAllTextAsync(input.OutFile, input.Squares.Sum(s => s.Value).ToString(CultureInfo.InvariantCulture), cancellationToken);
    }
}

public sealed record FanInput(int N, string OutFile);

public sealed record TotalInput(List<Promise<int>> Squares, string OutFile);

[JsonSerializable(typeof(FanInput))]
[JsonSerializable(typeof(TotalInput))]
[JsonSerializable(typeof(int))]
internal sealed partial class HostJson : JsonSerializerContext
{
}
