using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Authoring;
using Toil.Runtime.Deferred;

namespace Toil.Runtime.Reliability.Host;

/// <summary>
/// The campaign's workflow: a root that writes a job-store file and defers a marker, a fan-out of squares that read the
/// file (each with a chained echo), a checkpoint whose first child always fails (so the checkpoint restarts once), and a
/// follow-on that adds the promised squares and the checkpoint's promised value, writes and reads back a job-store file,
/// and writes the output. Every body defers a marker, then logs <c>start</c>, then (unless it fails) <c>ok</c>, in
/// <c>&lt;key&gt;.runs</c> of the effects directory.
/// </summary>
public static class ChaosJobs
{
    /// <summary>The deferred function every body registers: appends the deferring process's ID to a file.</summary>
    public const string DeferredMark = "chaos-mark";

    /// <summary>The value the checkpoint's good child leads the checkpoint to return.</summary>
    public const int CheckpointValue = 100;

    /// <summary>The output the workflow must write for a fan-out of <paramref name="n"/>.</summary>
    public static string ExpectedOutput(int n) =>
        string.Create(CultureInfo.InvariantCulture, $"squares={Enumerable.Range(1, n).Sum(i => i * i)} checkpoint={CheckpointValue} lines={n}");

    /// <summary>The keys of the jobs that must end with an <c>ok</c> run in a fan-out of <paramref name="n"/>.</summary>
    public static IEnumerable<string> RequiredKeys(int n) =>
        new[] { "root", "checkpoint", "good", "total" }.Concat(Enumerable.Range(1, n).SelectMany(i => new[] { $"square-{i}", $"echo-{i}" }));

    /// <summary>The deferred functions (the leader registers them too, to run what killed workers left).</summary>
    public static DeferredFunctionRegistry CreateDeferredFunctions() => new DeferredFunctionRegistry()
        .Register(DeferredMark, ChaosJson.Default.MarkArgs, static (a, ct) =>
        {
            ChaosPoints.Append(a.Path, a.Pid.ToString(CultureInfo.InvariantCulture) + "\n");
            return ValueTask.CompletedTask;
        });

    /// <summary>Registers the job types and the deferred functions.</summary>
    public static IServiceCollection Register(IServiceCollection services)
    {
        services.AddToilJob<ChaosRootJob>().AddToilJob<ChaosSquareJob>().AddToilJob<ChaosEchoJob>().AddToilJob<ChaosCheckpointJob>()
            .AddToilJob<ChaosDoomedJob>().AddToilJob<ChaosGoodJob>().AddToilJob<ChaosTotalJob>();
        services.AddSingleton(CreateDeferredFunctions());
        return services;
    }

    /// <summary>Starts a body: records the phase, defers the marker (durable before it returns), then logs <c>start</c>.</summary>
    internal static async ValueTask BeginAsync(JobContext context, string key, CancellationToken cancellationToken)
    {
        ChaosPoints.EnterBody(key);
        string effects = ChaosPoints.Effects ?? throw new InvalidOperationException($"{ChaosPoints.EffectsVariable} is not set");
        await context.DeferAsync(DeferredMark, new MarkArgs(Path.Combine(effects, key + ".deferred"), Environment.ProcessId), cancellationToken);
        Log(key, "start");
    }

    /// <summary>Ends a successful body: logs <c>ok</c> and arms the commit kill point.</summary>
    internal static void End(string key)
    {
        Log(key, "ok");
        ChaosPoints.LeaveBody();
    }

    /// <summary>Appends <c>event pid generation</c> to the key's run log.</summary>
    internal static void Log(string key, string what) =>
        ChaosPoints.Append(Path.Combine(ChaosPoints.Effects!, key + ".runs"), $"{what} {Environment.ProcessId} {ChaosPoints.Generation}\n");
}

/// <summary>The workflow's input: the fan-out and the output file.</summary>
public sealed record ChaosInput(int N, string OutFile);

/// <summary>A square's input: its number and the job-store file of all numbers.</summary>
public sealed record SquareInput(int I, string NumbersFileId);

/// <summary>The follow-on's input.</summary>
public sealed record ChaosTotalInput(List<Promise<int>> Squares, Promise<int> Checkpoint, int N, string OutFile);

/// <summary>The deferred marker's arguments.</summary>
public sealed record MarkArgs(string Path, int Pid);

/// <summary>The root: writes the numbers file, fans out, adds the checkpoint and the follow-on.</summary>
public sealed class ChaosRootJob : IJob<ChaosInput, int>, IToilJobType
{
    /// <inheritdoc />
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<ChaosRootJob, ChaosInput, int>(ChaosJson.Default.ChaosInput, ChaosJson.Default.Int32, "chaos-root");

    /// <inheritdoc />
    public async ValueTask<int> RunAsync(ChaosInput input, JobContext context, CancellationToken cancellationToken)
    {
        await ChaosJobs.BeginAsync(context, "root", cancellationToken);
        string text = string.Join('\n', Enumerable.Range(1, input.N).Select(i => i.ToString(CultureInfo.InvariantCulture)));
        string fileId = await context.FileStore.WriteGlobalFileStreamAsync(
            async (s, ct) => await s.WriteAsync(Encoding.UTF8.GetBytes(text), ct), cleanup: true, baseName: "numbers", cancellationToken: cancellationToken);
        ChaosPoints.MaybeKillInBody();
        var squares = Enumerable.Range(1, input.N).Select(i => context.AddChild<ChaosSquareJob, SquareInput, int>(new(i, fileId))).ToList();
        var checkpoint = context.AddCheckpointChild<ChaosCheckpointJob, int, int>(0);
        context.AddFollowOn<ChaosTotalJob, ChaosTotalInput>(new(squares, checkpoint, input.N, input.OutFile));
        ChaosJobs.End("root");
        return input.N;
    }
}

/// <summary>Reads its line of the numbers file, adds a chained echo, returns the square.</summary>
public sealed class ChaosSquareJob : IJob<SquareInput, int>, IToilJobType
{
    /// <inheritdoc />
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<ChaosSquareJob, SquareInput, int>(ChaosJson.Default.SquareInput, ChaosJson.Default.Int32, "chaos-square");

    /// <inheritdoc />
    public async ValueTask<int> RunAsync(SquareInput input, JobContext context, CancellationToken cancellationToken)
    {
        string key = $"square-{input.I}";
        await ChaosJobs.BeginAsync(context, key, cancellationToken);
        await using (var stream = await context.FileStore.ReadGlobalFileStreamAsync(input.NumbersFileId, cancellationToken))
        using (var reader = new StreamReader(stream))
        {
            string[] lines = (await reader.ReadToEndAsync(cancellationToken)).Split('\n');
            if (lines[input.I - 1] != input.I.ToString(CultureInfo.InvariantCulture))
            {
                throw new InvalidDataException($"line {input.I} of the numbers file is '{lines[input.I - 1]}'");
            }
        }

        ChaosPoints.MaybeKillInBody();
        context.AddChild<ChaosEchoJob, int>(input.I);
        ChaosJobs.End(key);
        return input.I * input.I;
    }
}

/// <summary>A chained successor: logs its number to the leader.</summary>
public sealed class ChaosEchoJob : IJob<int>, IToilJobType
{
    /// <inheritdoc />
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<ChaosEchoJob, int>(ChaosJson.Default.Int32, "chaos-echo");

    /// <inheritdoc />
    public async ValueTask RunAsync(int input, JobContext context, CancellationToken cancellationToken)
    {
        string key = $"echo-{input}";
        await ChaosJobs.BeginAsync(context, key, cancellationToken);
        context.LogToLeader(input.ToString(CultureInfo.InvariantCulture));
        ChaosPoints.MaybeKillInBody();
        ChaosJobs.End(key);
    }
}

/// <summary>A checkpoint: its first run adds a child that always fails (the checkpoint restarts), later runs a good child.</summary>
public sealed class ChaosCheckpointJob : IJob<int, int>, IToilJobType
{
    /// <inheritdoc />
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<ChaosCheckpointJob, int, int>(ChaosJson.Default.Int32, ChaosJson.Default.Int32, "chaos-checkpoint");

    /// <inheritdoc />
    public async ValueTask<int> RunAsync(int input, JobContext context, CancellationToken cancellationToken)
    {
        string runs = Path.Combine(ChaosPoints.Effects!, "checkpoint.runs");
        bool first = !File.Exists(runs) || !File.ReadLines(runs).Any(l => l.StartsWith("start ", StringComparison.Ordinal));
        await ChaosJobs.BeginAsync(context, "checkpoint", cancellationToken);
        ChaosPoints.MaybeKillInBody();
        if (first)
        {
            context.AddChild<ChaosDoomedJob, int>(0);
        }
        else
        {
            context.AddChild<ChaosGoodJob, int>(0);
        }

        ChaosJobs.End("checkpoint");
        return ChaosJobs.CheckpointValue;
    }
}

/// <summary>Always fails (after logging <c>start</c> and <c>fail</c>).</summary>
public sealed class ChaosDoomedJob : IJob<int>, IToilJobType
{
    /// <inheritdoc />
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<ChaosDoomedJob, int>(ChaosJson.Default.Int32, "chaos-doomed");

    /// <inheritdoc />
    public async ValueTask RunAsync(int input, JobContext context, CancellationToken cancellationToken)
    {
        await ChaosJobs.BeginAsync(context, "doomed", cancellationToken);
        ChaosJobs.Log("doomed", "fail");
        ChaosPoints.LeaveBody();
        throw new InvalidOperationException("the checkpoint's first child always fails");
    }
}

/// <summary>The checkpoint's child after its restart.</summary>
public sealed class ChaosGoodJob : IJob<int>, IToilJobType
{
    /// <inheritdoc />
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<ChaosGoodJob, int>(ChaosJson.Default.Int32, "chaos-good");

    /// <inheritdoc />
    public async ValueTask RunAsync(int input, JobContext context, CancellationToken cancellationToken)
    {
        await ChaosJobs.BeginAsync(context, "good", cancellationToken);
        ChaosPoints.MaybeKillInBody();
        ChaosJobs.End("good");
    }
}

/// <summary>Adds the promises, writes the sum to a job-store file and reads it back, writes the output file atomically.</summary>
public sealed class ChaosTotalJob : IJob<ChaosTotalInput>, IToilJobType
{
    /// <inheritdoc />
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<ChaosTotalJob, ChaosTotalInput>(ChaosJson.Default.ChaosTotalInput, "chaos-total");

    /// <inheritdoc />
    public async ValueTask RunAsync(ChaosTotalInput input, JobContext context, CancellationToken cancellationToken)
    {
        await ChaosJobs.BeginAsync(context, "total", cancellationToken);
        int sum = input.Squares.Sum(s => s.Value);
        string fileId = await context.FileStore.WriteGlobalFileStreamAsync(
            async (s, ct) => await s.WriteAsync(Encoding.UTF8.GetBytes(sum.ToString(CultureInfo.InvariantCulture)), ct), cleanup: true, baseName: "sum", cancellationToken: cancellationToken);
        ChaosPoints.MaybeKillInBody();
        string copy = await context.FileStore.ReadGlobalFileAsync(fileId, cancellationToken: cancellationToken);
        string readBack = await File.ReadAllTextAsync(copy, cancellationToken);
        string output = string.Create(CultureInfo.InvariantCulture, $"squares={readBack} checkpoint={input.Checkpoint.Value} lines={input.Squares.Count}");
        string temp = input.OutFile + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ".tmp";
        await File.WriteAllTextAsync(temp, output, cancellationToken);
        File.Move(temp, input.OutFile, overwrite: true);
        ChaosJobs.End("total");
    }
}

/// <summary>Source-generated JSON of the campaign's inputs.</summary>
[JsonSerializable(typeof(ChaosInput))]
[JsonSerializable(typeof(SquareInput))]
[JsonSerializable(typeof(ChaosTotalInput))]
[JsonSerializable(typeof(MarkArgs))]
[JsonSerializable(typeof(int))]
internal sealed partial class ChaosJson : JsonSerializerContext
{
}
