using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using Toil.Runtime.Authoring;
using Toil.Runtime.Jobs;

namespace HelloWorkflow;

/// <summary>
/// The root: writes each chunk of the text to the job store, fans out one counting child per chunk, adds a follow-on
/// that adds the promised counts up, a chained pair, and a checkpoint that publishes. Returns how many chunks it made.
/// </summary>
public sealed class WordCountJob : IJob<WordCountInput, int>, IToilJobType
{
    /// <summary>The job's registration token: its name and JSON types.</summary>
    public static JobType<WordCountJob, WordCountInput, int> Type { get; } = JobType.Create<WordCountJob, WordCountInput, int>(HelloJson.Default.WordCountInput, HelloJson.Default.Int32, "word-count");

    /// <inheritdoc />
    static JobTypeRegistration IToilJobType.Registration => Type;

    /// <inheritdoc />
    public async ValueTask<int> RunAsync(WordCountInput input, JobContext context, CancellationToken cancellationToken)
    {
        var counts = new List<Promise<int>>();
        for (int i = 0; i < input.Chunks.Count; i++)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(input.Chunks[i]);
            string fileId = await context.FileStore.WriteGlobalFileStreamAsync((s, ct) => s.WriteAsync(bytes, ct), baseName: $"chunk-{i}.txt", cancellationToken: cancellationToken);
            counts.Add(context.AddChild(CountChunkJob.Type, fileId, new JobRequirements { Cores = 0.5, Memory = "64Mi", Disk = "1Mi" }, displayName: $"count chunk {i}"));
        }

        // Runs once every child above (and what they added) is done; its input holds the children's promised counts.
        context.AddFollowOn(SumJob.Type, new(counts));

        // A pair with equal requirements: the worker runs the second right after the first, in the same run (chaining).
        context.AddChild(GreetJob.Type, input.Name, Small);

        // A checkpoint: if its subtree fails for good, the leader re-runs it instead of failing the workflow.
        context.AddCheckpointChild(PublishJob.Type, input.Scratch, Small);
        context.LogToLeader($"split the text into {input.Chunks.Count} chunks");
        return input.Chunks.Count;
    }

    internal static JobRequirements Small { get; } = new() { Cores = 0.5, Memory = "64Mi", Disk = "1Mi" };
}

/// <summary>Reads its chunk from the job store and returns the number of words in it.</summary>
public sealed class CountChunkJob : IJob<string, int>, IToilJobType
{
    /// <summary>The job's registration token: its name and JSON types.</summary>
    public static JobType<CountChunkJob, string, int> Type { get; } = JobType.Create<CountChunkJob, string, int>(HelloJson.Default.String, HelloJson.Default.Int32, "count-chunk");

    /// <inheritdoc />
    static JobTypeRegistration IToilJobType.Registration => Type;

    /// <inheritdoc />
    public async ValueTask<int> RunAsync(string input, JobContext context, CancellationToken cancellationToken)
    {
        string path = await context.FileStore.ReadGlobalFileAsync(input, cancellationToken: cancellationToken);
        return (await File.ReadAllTextAsync(path, cancellationToken)).Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
    }
}

/// <summary>The fan-in: adds the promised counts and tells the leader the total.</summary>
public sealed class SumJob : IJob<SumInput, int>, IToilJobType
{
    /// <summary>The job's registration token: its name and JSON types.</summary>
    public static JobType<SumJob, SumInput, int> Type { get; } = JobType.Create<SumJob, SumInput, int>(HelloJson.Default.SumInput, HelloJson.Default.Int32, "sum");

    /// <inheritdoc />
    static JobTypeRegistration IToilJobType.Registration => Type;

    /// <inheritdoc />
    public ValueTask<int> RunAsync(SumInput input, JobContext context, CancellationToken cancellationToken)
    {
        int total = input.Counts.Sum(c => c.Value);
        context.LogToLeader($"total: {total} words in {input.Counts.Count} chunks ({string.Join(" + ", input.Counts.Select(c => c.Value.ToString(CultureInfo.InvariantCulture)))})");
        return ValueTask.FromResult(total);
    }
}

/// <summary>The first of the chained pair: greets and adds the second with the same requirements.</summary>
public sealed class GreetJob : IJob<string>, IToilJobType
{
    /// <summary>The job's registration token: its name and JSON types.</summary>
    public static JobType<GreetJob, string> Type { get; } = JobType.Create<GreetJob, string>(HelloJson.Default.String, "greet");

    /// <inheritdoc />
    static JobTypeRegistration IToilJobType.Registration => Type;

    /// <inheritdoc />
    public ValueTask RunAsync(string input, JobContext context, CancellationToken cancellationToken)
    {
        context.AddChild(ShoutJob.Type, $"hello, {input}", WordCountJob.Small);
        return ValueTask.CompletedTask;
    }
}

/// <summary>The second of the chained pair: tells the leader its greeting, in capitals.</summary>
public sealed class ShoutJob : IJob<string>, IToilJobType
{
    /// <summary>The job's registration token: its name and JSON types.</summary>
    public static JobType<ShoutJob, string> Type { get; } = JobType.Create<ShoutJob, string>(HelloJson.Default.String, "shout");

    /// <inheritdoc />
    static JobTypeRegistration IToilJobType.Registration => Type;

    /// <inheritdoc />
    public ValueTask RunAsync(string input, JobContext context, CancellationToken cancellationToken)
    {
        context.LogToLeader($"{input.ToUpperInvariant()}! (chained after greet: {context.JobStoreId})");
        return ValueTask.CompletedTask;
    }
}

/// <summary>A checkpoint that adds an upload child which fails on its first attempt.</summary>
public sealed class PublishJob : IJob<string>, IToilJobType
{
    /// <summary>The job's registration token: its name and JSON types.</summary>
    public static JobType<PublishJob, string> Type { get; } = JobType.Create<PublishJob, string>(HelloJson.Default.String, "publish");

    /// <inheritdoc />
    static JobTypeRegistration IToilJobType.Registration => Type;

    /// <inheritdoc />
    public ValueTask RunAsync(string input, JobContext context, CancellationToken cancellationToken)
    {
        context.AddChild(FlakyUploadJob.Type, Path.Combine(input, "upload-attempts.txt"), WordCountJob.Small);
        return ValueTask.CompletedTask;
    }
}

/// <summary>Fails on its first attempt (it counts attempts in a scratch file) and succeeds when the leader retries it.</summary>
public sealed class FlakyUploadJob : IJob<string>, IToilJobType
{
    /// <summary>The job's registration token: its name and JSON types.</summary>
    public static JobType<FlakyUploadJob, string> Type { get; } = JobType.Create<FlakyUploadJob, string>(HelloJson.Default.String, "flaky-upload");

    /// <inheritdoc />
    static JobTypeRegistration IToilJobType.Registration => Type;

    /// <inheritdoc />
    public async ValueTask RunAsync(string input, JobContext context, CancellationToken cancellationToken)
    {
        int attempt = File.Exists(input) ? int.Parse(await File.ReadAllTextAsync(input, cancellationToken), CultureInfo.InvariantCulture) + 1 : 1;
        await File.WriteAllTextAsync(input, attempt.ToString(CultureInfo.InvariantCulture), cancellationToken);
        if (attempt == 1)
        {
            throw new IOException("the upload service was unavailable (first attempt)");
        }

        context.LogToLeader($"uploaded on attempt {attempt}");
    }
}

/// <summary>The root's input.</summary>
/// <param name="Name">Who the chained pair greets.</param>
/// <param name="Chunks">The text, in chunks; one counting job each.</param>
/// <param name="Scratch">A scratch directory (the flaky upload counts its attempts there).</param>
public sealed record WordCountInput(string Name, List<string> Chunks, string Scratch);

/// <summary>The fan-in's input: promised counts, resolved before it runs.</summary>
/// <param name="Counts">The counts.</param>
public sealed record SumInput(List<Promise<int>> Counts);

/// <summary>Source-generated JSON of the sample's inputs and results.</summary>
[JsonSerializable(typeof(WordCountInput))]
[JsonSerializable(typeof(SumInput))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
internal sealed partial class HelloJson : JsonSerializerContext
{
}
