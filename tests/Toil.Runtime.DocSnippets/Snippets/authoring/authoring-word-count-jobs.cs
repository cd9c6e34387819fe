// docs/authoring.md: compiled copy of a documentation block (docs/contributing-docs.md).
// begin-snippet: authoring-word-count-jobs
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Toil.Runtime.Authoring;

public sealed record CountInput(string Name, string FileId);
public sealed record SumInput(List<Promise<int>> Counts);
public sealed record FanInput(List<Document> Documents);
public sealed record Document(string Name, string Text);

[JsonSerializable(typeof(CountInput))]
[JsonSerializable(typeof(SumInput))]
[JsonSerializable(typeof(FanInput))]
[JsonSerializable(typeof(int))]
public sealed partial class WordCountJson : JsonSerializerContext;

public sealed partial class CountWords(ILogger<CountWords> log) : IJob<CountInput, int>
{
    public static JobType<CountWords, CountInput, int> Type { get; } =
        JobType.Create<CountWords, CountInput, int>(WordCountJson.Default.CountInput, WordCountJson.Default.Int32, "count-words");

    public async ValueTask<int> RunAsync(CountInput input, JobContext context, CancellationToken ct)
    {
        string path = await context.FileStore.ReadGlobalFileAsync(input.FileId, cancellationToken: ct);
        int words = (await File.ReadAllTextAsync(path, ct)).Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        Counted(log, input.Name, words);                           // into the worker log
        context.LogToLeader($"{input.Name}: {words} words");       // into the leader's log
        return words;
    }

    [LoggerMessage(LogLevel.Debug, "Counted {Words} words in {Name}")]
    private static partial void Counted(ILogger logger, string name, int words);
}

public sealed class Sum : IJob<SumInput, int>
{
    public static JobType<Sum, SumInput, int> Type { get; } =
        JobType.Create<Sum, SumInput, int>(WordCountJson.Default.SumInput, WordCountJson.Default.Int32, "sum");

    public ValueTask<int> RunAsync(SumInput input, JobContext context, CancellationToken ct) =>
        ValueTask.FromResult(input.Counts.Sum(c => c.Value));      // promises are resolved here
}

public sealed class FanOut : IJob<FanInput>
{
    public static JobType<FanOut, FanInput> Type { get; } = JobType.Create<FanOut, FanInput>(WordCountJson.Default.FanInput, "fan-out");

    public async ValueTask RunAsync(FanInput input, JobContext context, CancellationToken ct)
    {
        var counts = new List<Promise<int>>();
        foreach (var d in input.Documents)
        {
            string fileId = await context.FileStore.WriteGlobalFileStreamAsync(
                (s, c) => s.WriteAsync(Encoding.UTF8.GetBytes(d.Text), c), cancellationToken: ct);
            counts.Add(context.AddChild(CountWords.Type, new(d.Name, fileId), new() { Memory = "200Mi", Cores = 0.5 }));
        }

        context.AddFollowOn(Sum.Type, new(counts));
    }
}
// end-snippet
