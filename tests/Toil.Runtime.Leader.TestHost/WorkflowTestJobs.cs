using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Toil.Runtime.Authoring;

namespace Toil.Runtime.Leader.TestHost;

// Jobs of the ported Toil workflow tests (jobTest, checkpointTest, restartDAGTest) and the random DAGs; registered by
// the tests' in-process leader and by this host as a worker program (WorkflowTestJobs.Register).

/// <summary>Registers every workflow test job.</summary>
public static class WorkflowTestJobs
{
    public static IServiceCollection Register(IServiceCollection services) =>
        services.AddToilJob<LetterJob>().AddToilJob<StaticGraphJob>().AddToilJob<CheckRetryCountJob>().AddToilJob<AlwaysFailJob>()
            .AddToilJob<GuardedCheckpointJob>().AddToilJob<FailUnlessAllowedJob>().AddToilJob<StampAndFailJob>().AddToilJob<TouchJob>()
            .AddToilJob<TouchAndFailJob>().AddToilJob<TouchAndKillSelfJob>().AddToilJob<DagShapeJob>().AddToilJob<NoopJob>().AddToilJob<GraphCaseJob>()
            .AddToilJob<DagNodeJob>().AddToilJob<DagBuildJob>().AddToilJob<TellLeaderJob>().AddToilJob<SumJob>()
            .AddToilJob<GateJob>().AddToilJob<FanGateJob>().AddToilJob<RealtimeJob>();
}

/// <summary>Logs its input through the real-time logger (to the leader's server when the leader started one).</summary>
public sealed class RealtimeJob : IJob<string>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<RealtimeJob, string>(TestJson.Default.String, "realtime");

    public ValueTask RunAsync(string input, JobContext context, CancellationToken cancellationToken)
    {
        context.RealtimeLogger.LogWarning("real-time {Text}", input);
        return ValueTask.CompletedTask;
    }
}

/// <summary>Toil's fn1Test: appends the next letter to the promised string, overwrites the output file with it, returns it.</summary>
public sealed class LetterJob : IJob<LetterInput, string>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<LetterJob, LetterInput, string>(TestJson.Default.LetterInput, TestJson.Default.String, "letter");

    public async ValueTask<string> RunAsync(LetterInput input, JobContext context, CancellationToken cancellationToken)
    {
        string prefix = input.Prefix.Value;
        string value = prefix + (char)(prefix[^1] + 1);
        await File.WriteAllTextAsync(input.OutFile, value, cancellationToken);
        return value;
    }
}

/// <summary>Builds testStatic (A..F, "ABCDEFG") or testStatic2 (A..D, "ABCDE") as a static graph under the running job.</summary>
public sealed class StaticGraphJob : IJob<StaticInput>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<StaticGraphJob, StaticInput>(TestJson.Default.StaticInput, "static-graph");

    public ValueTask RunAsync(StaticInput input, JobContext context, CancellationToken cancellationToken)
    {
        var a = context.CreateJob<LetterJob, LetterInput, string>(new("A", input.OutFile), displayName: "A");
        context.AddChild(a.Job!);
        if (input.Second)
        {
            // A has child B and follow-on C; C has child D.
            var b = context.CreateJob<LetterJob, LetterInput, string>(new(a, input.OutFile), displayName: "B");
            var c = context.CreateJob<LetterJob, LetterInput, string>(new(b, input.OutFile), displayName: "C");
            var d = context.CreateJob<LetterJob, LetterInput, string>(new(c, input.OutFile), displayName: "D");
            a.Job!.AddChild(b.Job!);
            a.Job.AddFollowOn(c.Job!);
            c.Job!.AddChild(d.Job!);
        }
        else
        {
            // A has children B and C; B has child C; B has follow-on E; C has follow-on D; A has follow-on F.
            var b = context.CreateJob<LetterJob, LetterInput, string>(new(a, input.OutFile), displayName: "B");
            var c = context.CreateJob<LetterJob, LetterInput, string>(new(b, input.OutFile), displayName: "C");
            var d = context.CreateJob<LetterJob, LetterInput, string>(new(c, input.OutFile), displayName: "D");
            var e = context.CreateJob<LetterJob, LetterInput, string>(new(d, input.OutFile), displayName: "E");
            var f = context.CreateJob<LetterJob, LetterInput, string>(new(e, input.OutFile), displayName: "F");
            a.Job!.AddChild(b.Job!);
            a.Job.AddChild(c.Job!);
            b.Job!.AddChild(c.Job!);
            b.Job.AddFollowOn(e.Job!);
            c.Job!.AddFollowOn(d.Job!);
            a.Job.AddFollowOn(f.Job!);
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>checkpointTest's CheckRetryCount: counts its runs in a file, tells the leader, adds a failing child while the count is below K.</summary>
public sealed class CheckRetryCountJob : IJob<CheckRetryInput>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<CheckRetryCountJob, CheckRetryInput>(TestJson.Default.CheckRetryInput, "check-retry-count");

    public async ValueTask RunAsync(CheckRetryInput input, JobContext context, CancellationToken cancellationToken)
    {
        int runs = await Counter.IncrementAsync(Path.Combine(input.Directory, "checkpointRun"), cancellationToken);
        context.LogToLeader($"checkpoint run {runs}");
        // Toil's counter returns the number of earlier runs.
        if (runs - 1 < input.K)
        {
            context.AddChild<AlwaysFailJob, string>("child of the checkpoint");
        }
    }
}

/// <summary>Always raises.</summary>
public sealed class AlwaysFailJob : IJob<string>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<AlwaysFailJob, string>(TestJson.Default.String, "always-fail");

    public ValueTask RunAsync(string input, JobContext context, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"always fails ({input})");
}

/// <summary>A checkpoint whose child fails until the file <c>allow</c> exists in the directory (checkpointTest's FailOnce, by workflow attempt).</summary>
public sealed class GuardedCheckpointJob : IJob<string>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<GuardedCheckpointJob, string>(TestJson.Default.String, "guarded-checkpoint");

    public async ValueTask RunAsync(string input, JobContext context, CancellationToken cancellationToken)
    {
        await Counter.IncrementAsync(Path.Combine(input, "checkpointRun"), cancellationToken);
        context.AddChild<FailUnlessAllowedJob, string>(input);
    }
}

/// <summary>Fails unless <c>allow</c> exists in its directory; counts its attempts.</summary>
public sealed class FailUnlessAllowedJob : IJob<string>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<FailUnlessAllowedJob, string>(TestJson.Default.String, "fail-unless-allowed");

    public async ValueTask RunAsync(string input, JobContext context, CancellationToken cancellationToken)
    {
        await Counter.IncrementAsync(Path.Combine(input, "attempts"), cancellationToken);
        if (!File.Exists(Path.Combine(input, "allow")))
        {
            throw new InvalidOperationException("not allowed in this workflow attempt");
        }
    }
}

/// <summary>Appends the (possibly fake) time to a file, then raises: test_retry_backoff.</summary>
public sealed class StampAndFailJob(TimeProvider time) : IJob<string>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<StampAndFailJob, string>(TestJson.Default.String, "stamp-and-fail");

    public async ValueTask RunAsync(string input, JobContext context, CancellationToken cancellationToken)
    {
        await File.AppendAllTextAsync(input, time.GetUtcNow().UtcTicks.ToString(CultureInfo.InvariantCulture) + "\n", cancellationToken);
        throw new InvalidOperationException("stamped and failed");
    }
}

/// <summary>Writes a marker file named by its input (a path) and succeeds.</summary>
public sealed class TouchJob : IJob<string>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<TouchJob, string>(TestJson.Default.String, "touch");

    public async ValueTask RunAsync(string input, JobContext context, CancellationToken cancellationToken) =>
        await File.WriteAllTextAsync(input, "ran", cancellationToken);
}

/// <summary>Writes a marker file named by its input and then raises (restartDAGTest's failingParent).</summary>
public sealed class TouchAndFailJob : IJob<string>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<TouchAndFailJob, string>(TestJson.Default.String, "touch-and-fail");

    public async ValueTask RunAsync(string input, JobContext context, CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(input, "ran", cancellationToken);
        throw new InvalidOperationException("the failing parent fails");
    }
}

/// <summary>
/// Writes a marker file named by its input and then kills its own process with SIGKILL (restartDAGTest's failingParent,
/// dying instead of raising); only meaningful in a worker process of the local-process batch system.
/// </summary>
public sealed class TouchAndKillSelfJob : IJob<string>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<TouchAndKillSelfJob, string>(TestJson.Default.String, "touch-and-kill-self");

    public async ValueTask RunAsync(string input, JobContext context, CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(input, "ran", cancellationToken);
        // Process.Kill on the current process sends SIGKILL on Unix: no handler, no finally block, no commit runs.
        System.Diagnostics.Process.GetCurrentProcess().Kill();
        await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
    }
}

/// <summary>Builds one of the DAG shapes of jobTest and restartDAGTest in a directory: trivialParent, parent, diamond, restart-diamond, restart-diamond-kill (its failing parent kills its own process).</summary>
public sealed class DagShapeJob : IJob<DagShapeInput>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<DagShapeJob, DagShapeInput>(TestJson.Default.DagShapeInput, "dag-shape");

    public ValueTask RunAsync(DagShapeInput input, JobContext context, CancellationToken cancellationToken)
    {
        string dir = input.Directory;
        switch (input.Shape)
        {
            case "trivialParent":
            {
                var failing = context.CreateJob<AlwaysFailJob, string>("failing");
                var stranded = context.CreateJob<TouchJob, string>(Path.Combine(dir, "stranded"));
                context.AddChild(failing);
                context.AddChild(stranded);
                failing.AddChild(stranded);
                break;
            }

            case "parent":
            {
                var child1 = context.CreateJob<TouchJob, string>(Path.Combine(dir, "child1"));
                var stranded = context.CreateJob<TouchJob, string>(Path.Combine(dir, "stranded"));
                var failing = context.CreateJob<AlwaysFailJob, string>("failing");
                context.AddChild(child1);
                context.AddChild(stranded);
                child1.AddChild(failing);
                failing.AddChild(stranded);
                break;
            }

            case "diamond":
            {
                var child1 = context.CreateJob<TouchJob, string>(Path.Combine(dir, "child1"));
                var failing = context.CreateJob<AlwaysFailJob, string>("failing");
                var stranded = context.CreateJob<TouchJob, string>(Path.Combine(dir, "stranded"));
                context.AddChild(child1);
                context.AddChild(failing);
                child1.AddChild(stranded);
                failing.AddChild(stranded);
                break;
            }

            case "restart-diamond":
            case "restart-diamond-kill":
            {
                var passingParent = context.CreateJob<TouchJob, string>(Path.Combine(dir, "passingParent"), displayName: "passingParent");
                var failingParent = input.Shape == "restart-diamond"
                    ? context.CreateJob<TouchAndFailJob, string>(Path.Combine(dir, "parent"), displayName: "failingParent")
                    : context.CreateJob<TouchAndKillSelfJob, string>(Path.Combine(dir, "parent"), displayName: "failingParent");
                var child = context.CreateJob<TouchJob, string>(Path.Combine(dir, "child"), displayName: "child");
                context.AddChild(passingParent);
                context.AddChild(failingParent);
                passingParent.AddChild(child);
                failingParent.AddChild(child);
                break;
            }

            default:
                throw new ArgumentException($"unknown shape {input.Shape}", nameof(input));
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>Does nothing.</summary>
public sealed class NoopJob : IJob<string>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<NoopJob, string>(TestJson.Default.String, "noop");

    public ValueTask RunAsync(string input, JobContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>Builds testDeadlockDetectionStatic's graphs (by case number) or checkpoint-must-be-leaf shapes (negative numbers).</summary>
public sealed class GraphCaseJob : IJob<int>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<GraphCaseJob, int>(TestJson.Default.Int32, "graph-case");

    public ValueTask RunAsync(int input, JobContext context, CancellationToken cancellationToken)
    {
        if (input < 0)
        {
            // -1 leaf checkpoint, -2 checkpoint with a child, -3 checkpoint with a follow-on.
            var checkpoint = context.AddCheckpointChild<NoopJob, string>("checkpoint");
            if (input == -2)
            {
                checkpoint.AddChild<NoopJob, string>("child of a new checkpoint");
            }
            else if (input == -3)
            {
                checkpoint.AddFollowOn<NoopJob, string>("follow-on of a new checkpoint");
            }

            return ValueTask.CompletedTask;
        }

        var n = Enumerable.Range(0, 5).Select(i => context.CreateJob<NoopJob, string>($"node {i}")).ToArray();
        context.AddChild(n[0]);
        switch (input)
        {
            case 0: n[0].AddChild(n[1]); n[1].AddChild(n[2]); Link(context, n, 2); break;
            case 1: n[0].AddChild(n[1]); n[1].AddChild(n[2]); n[2].AddChild(n[0]); Link(context, n, 2); break;
            case 2: n[0].AddChild(n[1]); n[0].AddChild(n[0]); Link(context, n, 1); break;
            case 3: n[0].AddChild(n[1]); n[2].AddChild(n[1]); Link(context, n, 2, skipSecondRoot: true); break;
            case 4: n[0].AddChild(n[1]); n[1].AddFollowOn(n[0]); Link(context, n, 1); break;
            case 5: n[0].AddChild(n[1]); n[0].AddFollowOn(n[0]); Link(context, n, 1); break;
            case 6: n[0].AddChild(n[1]); n[1].AddChild(n[2]); n[2].AddChild(n[3]); n[3].AddChild(n[4]); n[4].AddChild(n[2]); break;
            default: throw new ArgumentOutOfRangeException(nameof(input));
        }

        return ValueTask.CompletedTask;
    }

    // Nodes past 'last' are hung under node 'last' so that only the case's own edges decide the outcome.
    private static void Link(JobContext context, JobHandle[] n, int last, bool skipSecondRoot = false)
    {
        for (int i = last + 1; i < n.Length; i++)
        {
            if (skipSecondRoot && i == 2)
            {
                continue;
            }

            n[last].AddChild(n[i]);
        }

        _ = context;
    }
}

/// <summary>A node of a random DAG: records when it ran and what its promises resolved to, returns its index.</summary>
public sealed class DagNodeJob : IJob<DagNodeInput, string>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<DagNodeJob, DagNodeInput, string>(TestJson.Default.DagNodeInput, TestJson.Default.String, "dag-node");

    public async ValueTask<string> RunAsync(DagNodeInput input, JobContext context, CancellationToken cancellationToken)
    {
        var run = DagRecorder.Runs.GetOrAdd(input.RunId, _ => new DagRun());
        long start = Interlocked.Increment(ref run.Clock);
        await Task.Yield();
        var promised = input.Promised.Select(p => p.Value).ToList();
        long end = Interlocked.Increment(ref run.Clock);
        run.Records.Enqueue(new DagRecord(input.Index, start, end, promised));
        return input.Index.ToString(CultureInfo.InvariantCulture);
    }
}

/// <summary>Builds a random DAG from its specification under the running job (node 0 is its child).</summary>
public sealed class DagBuildJob : IJob<DagSpec>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<DagBuildJob, DagSpec>(TestJson.Default.DagSpec, "dag-build");

    public ValueTask RunAsync(DagSpec input, JobContext context, CancellationToken cancellationToken)
    {
        var promises = new Promise<string>[input.Nodes];
        for (int j = 0; j < input.Nodes; j++)
        {
            var promised = input.Promises.Where(p => p[0] == j).Select(p => promises[p[1]]).ToList();
            promises[j] = context.CreateJob<DagNodeJob, DagNodeInput, string>(new(input.RunId, j, promised), displayName: $"node{j}");
        }

        context.AddChild(promises[0].Job!);
        foreach (var edge in input.Children)
        {
            promises[edge[0]].Job!.AddChild(promises[edge[1]].Job!);
        }

        foreach (var edge in input.FollowOns)
        {
            promises[edge[0]].Job!.AddFollowOn(promises[edge[1]].Job!);
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>Tells the leader a message at a level, then succeeds.</summary>
public sealed class TellLeaderJob : IJob<string>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<TellLeaderJob, string>(TestJson.Default.String, "tell-leader");

    public ValueTask RunAsync(string input, JobContext context, CancellationToken cancellationToken)
    {
        context.LogToLeader(input, LogLevel.Warning);
        return ValueTask.CompletedTask;
    }
}

/// <summary>Returns the sum of its input's numbers (a root job with a return value).</summary>
public sealed class SumJob : IJob<int[], int>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<SumJob, int[], int>(TestJson.Default.Int32Array, TestJson.Default.Int32, "sum");

    public ValueTask<int> RunAsync(int[] input, JobContext context, CancellationToken cancellationToken) => ValueTask.FromResult(input.Sum());
}

/// <summary>Waits until the file named by its input exists (bounded by the cancellation token), counting concurrent runs.</summary>
public sealed class GateJob : IJob<string>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<GateJob, string>(TestJson.Default.String, "gate");

    public static int Running;
    public static int MaxRunning;

    public async ValueTask RunAsync(string input, JobContext context, CancellationToken cancellationToken)
    {
        int now = Interlocked.Increment(ref Running);
        int seen;
        while ((seen = Volatile.Read(ref MaxRunning)) < now && Interlocked.CompareExchange(ref MaxRunning, now, seen) != seen)
        {
        }

        try
        {
            while (!File.Exists(input))
            {
                await Task.Delay(10, cancellationToken);
            }
        }
        finally
        {
            Interlocked.Decrement(ref Running);
        }
    }
}

/// <summary>Fans out one gate child per name in its input.</summary>
public sealed class FanGateJob : IJob<string[]>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<FanGateJob, string[]>(TestJson.Default.StringArray, "fan-gate");

    public ValueTask RunAsync(string[] input, JobContext context, CancellationToken cancellationToken)
    {
        foreach (string gate in input)
        {
            context.AddChild<GateJob, string>(gate);
        }

        return ValueTask.CompletedTask;
    }
}

public static class Counter
{
    private static readonly Lock Gate = new();

    public static async ValueTask<int> IncrementAsync(string path, CancellationToken cancellationToken)
    {
        await Task.Yield();
        lock (Gate)
        {
            int n = File.Exists(path) ? int.Parse(File.ReadAllText(path), CultureInfo.InvariantCulture) + 1 : 1;
            File.WriteAllText(path, n.ToString(CultureInfo.InvariantCulture));
            return n;
        }
    }

    public static int Read(string path) => File.Exists(path) ? int.Parse(File.ReadAllText(path), CultureInfo.InvariantCulture) : 0;
}

public sealed record LetterInput(Promise<string> Prefix, string OutFile);

public sealed record StaticInput(string OutFile, bool Second);

public sealed record CheckRetryInput(string Directory, int K);

public sealed record DagShapeInput(string Shape, string Directory);

public sealed record DagNodeInput(string RunId, int Index, List<Promise<string>> Promised);

public sealed record DagSpec(string RunId, int Nodes, List<int[]> Children, List<int[]> FollowOns, List<int[]> Promises);

public sealed record DagRecord(int Index, long Start, long End, List<string> Promised);

public sealed class DagRun
{
#pragma warning disable CA1051 // Interlocked needs a field.
    public long Clock;
#pragma warning restore CA1051

    public ConcurrentQueue<DagRecord> Records { get; } = new();
}

public static class DagRecorder
{
    public static ConcurrentDictionary<string, DagRun> Runs { get; } = new();
}

[JsonSerializable(typeof(LetterInput))]
[JsonSerializable(typeof(StaticInput))]
[JsonSerializable(typeof(CheckRetryInput))]
[JsonSerializable(typeof(DagShapeInput))]
[JsonSerializable(typeof(DagNodeInput))]
[JsonSerializable(typeof(DagSpec))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(int[]))]
internal sealed partial class TestJson : JsonSerializerContext
{
}
