using System.Text;
using System.Text.Json.Serialization;
using Toil.Runtime.Authoring;

namespace EmbeddedWorker;

// The sample's job types. Each is a class with JSON input, registered under a stable name with source-generated JSON
// (no reflection), and resolved from DI when it runs.

/// <summary>The root: a greeting (whose child chains into the same worker run), a word count fanned out over files, and a checkpoint.</summary>
public sealed class PlanJob : IJob<PlanInput>
{
    /// <summary>The job's registration token: its name and JSON types.</summary>
    public static JobType<PlanJob, PlanInput> Type { get; } = JobType.Create<PlanJob, PlanInput>(SampleJson.Default.PlanInput, "plan");

    /// <inheritdoc />
    public ValueTask RunAsync(PlanInput input, JobContext context, CancellationToken cancellationToken)
    {
        context.AddChild(GreetJob.Type, input.Name);
        context.AddChild(SplitJob.Type, new(input.Text, input.Parts, input.OutputDirectory));
        context.AddCheckpointChild(GuardedJob.Type, input.OutputDirectory);
        return ValueTask.CompletedTask;
    }
}

/// <summary>Says hello and adds one child with the same requirements: the worker runs that child in the same run (chaining).</summary>
public sealed class GreetJob : IJob<string>
{
    /// <summary>The job's registration token: its name and JSON types.</summary>
    public static JobType<GreetJob, string> Type { get; } = JobType.Create<GreetJob, string>(SampleJson.Default.String, "greet");

    /// <inheritdoc />
    public ValueTask RunAsync(string input, JobContext context, CancellationToken cancellationToken)
    {
        context.Logger.LogGreeting(input);
        context.AddChild(ShoutJob.Type, $"hello, {input}");
        return ValueTask.CompletedTask;
    }
}

/// <summary>The chained child: tells the leader its greeting in capitals.</summary>
public sealed class ShoutJob : IJob<string>
{
    /// <summary>The job's registration token: its name and JSON types.</summary>
    public static JobType<ShoutJob, string> Type { get; } = JobType.Create<ShoutJob, string>(SampleJson.Default.String, "shout");

    /// <inheritdoc />
    public ValueTask RunAsync(string input, JobContext context, CancellationToken cancellationToken)
    {
        context.LogToLeader(input.ToUpperInvariant() + "!");
        return ValueTask.CompletedTask;
    }
}

/// <summary>Writes each part of the text to the job store and fans out one counting child per file; a follow-on sums the counts.</summary>
public sealed class SplitJob : IJob<SplitInput>
{
    /// <summary>The job's registration token: its name and JSON types.</summary>
    public static JobType<SplitJob, SplitInput> Type { get; } = JobType.Create<SplitJob, SplitInput>(SampleJson.Default.SplitInput, "split");

    /// <inheritdoc />
    public async ValueTask RunAsync(SplitInput input, JobContext context, CancellationToken cancellationToken)
    {
        string[] words = input.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var counts = new List<Promise<int>>();
        for (int part = 0; part < input.Parts; part++)
        {
            string chunk = string.Join(' ', words.Where((_, i) => i % input.Parts == part));
            string fileId = await context.FileStore.WriteGlobalFileStreamAsync(
                (s, ct) => s.WriteAsync(Encoding.UTF8.GetBytes(chunk), ct), baseName: $"part-{part}.txt", cancellationToken: cancellationToken);
            counts.Add(context.AddChild(CountJob.Type, fileId));
        }

        context.AddFollowOn(SumJob.Type, new(counts, Path.Combine(input.OutputDirectory, "total.txt")));
    }
}

/// <summary>Reads its file from the job store and returns the number of words in it (a promise its parent's follow-on consumes).</summary>
public sealed class CountJob : IJob<string, int>
{
    /// <summary>The job's registration token: its name and JSON types.</summary>
    public static JobType<CountJob, string, int> Type { get; } = JobType.Create<CountJob, string, int>(SampleJson.Default.String, SampleJson.Default.Int32, "count");

    /// <inheritdoc />
    public async ValueTask<int> RunAsync(string input, JobContext context, CancellationToken cancellationToken)
    {
        string path = await context.FileStore.ReadGlobalFileAsync(input, cancellationToken: cancellationToken);
        return (await File.ReadAllTextAsync(path, cancellationToken)).Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
    }
}

/// <summary>Runs after every counting child: adds their promised counts and writes the total.</summary>
public sealed class SumJob : IJob<SumInput>
{
    /// <summary>The job's registration token: its name and JSON types.</summary>
    public static JobType<SumJob, SumInput> Type { get; } = JobType.Create<SumJob, SumInput>(SampleJson.Default.SumInput, "sum");

    /// <inheritdoc />
    public async ValueTask RunAsync(SumInput input, JobContext context, CancellationToken cancellationToken)
    {
        int total = input.Counts.Sum(c => c.Value);
        await File.WriteAllTextAsync(input.OutputPath, total.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken);
        context.LogToLeader($"total words: {total}");
    }
}

/// <summary>A checkpoint: if its subtree fails for good, the leader re-runs it (and so its subtree) instead of failing.</summary>
public sealed class GuardedJob : IJob<string>
{
    /// <summary>The job's registration token: its name and JSON types.</summary>
    public static JobType<GuardedJob, string> Type { get; } = JobType.Create<GuardedJob, string>(SampleJson.Default.String, "guarded");

    /// <inheritdoc />
    public ValueTask RunAsync(string input, JobContext context, CancellationToken cancellationToken)
    {
        context.AddChild(FlakyJob.Type, Path.Combine(input, "flaky-attempts.txt"));
        return ValueTask.CompletedTask;
    }
}

/// <summary>Fails on its first attempt (it counts attempts in a file) and succeeds when retried.</summary>
public sealed class FlakyJob : IJob<string>
{
    /// <summary>The job's registration token: its name and JSON types.</summary>
    public static JobType<FlakyJob, string> Type { get; } = JobType.Create<FlakyJob, string>(SampleJson.Default.String, "flaky");

    /// <inheritdoc />
    public async ValueTask RunAsync(string input, JobContext context, CancellationToken cancellationToken)
    {
        int attempt = File.Exists(input) ? int.Parse(await File.ReadAllTextAsync(input, cancellationToken), System.Globalization.CultureInfo.InvariantCulture) + 1 : 1;
        await File.WriteAllTextAsync(input, attempt.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken);
        if (attempt == 1)
        {
            throw new IOException("the flaky service was unavailable (first attempt)");
        }
    }
}

/// <summary>The root's input.</summary>
/// <param name="Name">Who to greet.</param>
/// <param name="Text">The text whose words are counted.</param>
/// <param name="Parts">How many files (and counting children) the text is split into.</param>
/// <param name="OutputDirectory">Where results and the flaky job's attempt counter go.</param>
public sealed record PlanInput(string Name, string Text, int Parts, string OutputDirectory);

/// <summary>The splitting job's input.</summary>
/// <param name="Text">The text.</param>
/// <param name="Parts">How many parts.</param>
/// <param name="OutputDirectory">Where the total goes.</param>
public sealed record SplitInput(string Text, int Parts, string OutputDirectory);

/// <summary>The summing job's input: promised counts, resolved before it runs.</summary>
/// <param name="Counts">The counts.</param>
/// <param name="OutputPath">Where the total goes.</param>
public sealed record SumInput(List<Promise<int>> Counts, string OutputPath);

/// <summary>Source-generated JSON of the sample's inputs and results.</summary>
[JsonSerializable(typeof(PlanInput))]
[JsonSerializable(typeof(SplitInput))]
[JsonSerializable(typeof(SumInput))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
internal sealed partial class SampleJson : JsonSerializerContext
{
}
