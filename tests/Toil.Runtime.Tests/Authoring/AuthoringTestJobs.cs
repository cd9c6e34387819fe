using System.Text.Json.Serialization;
using Toil.Runtime.Authoring;

namespace Toil.Runtime.Tests.Authoring;

public sealed record NameInput(string Name);

public sealed record CountInput(string Name, string FileId);

public sealed record SumInput(List<Promise<int>> Counts);

public sealed record Document(string Name, string Text);

public sealed record FanInput(List<Document> Documents);

public sealed record ScriptInput(string Step);

public sealed record ChainInput(Promise<string> Previous, string Letter);

[JsonSerializable(typeof(NameInput))]
[JsonSerializable(typeof(CountInput))]
[JsonSerializable(typeof(SumInput))]
[JsonSerializable(typeof(FanInput))]
[JsonSerializable(typeof(ScriptInput))]
[JsonSerializable(typeof(ChainInput))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(string))]
public sealed partial class AuthoringTestJson : JsonSerializerContext
{
}

/// <summary>A service a job takes through its constructor.</summary>
public sealed class Greeting
{
    public string Word { get; init; } = "Hello";
}

[ToilJob("greeter")]
public sealed class Greeter(Greeting greeting) : IJob<NameInput, string>
{
    public ValueTask<string> RunAsync(NameInput input, JobContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult($"{greeting.Word}, {input.Name}");
}

[ToilJob("count-words")]
public sealed class CountWords : IJob<CountInput, int>
{
    public async ValueTask<int> RunAsync(CountInput input, JobContext context, CancellationToken cancellationToken)
    {
        string path = await context.FileStore.ReadGlobalFileAsync(input.FileId, cancellationToken: cancellationToken);
        int words = (await File.ReadAllTextAsync(path, cancellationToken)).Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        context.LogToLeader($"{input.Name}: {words} words");
        return words;
    }
}

[ToilJob("sum")]
public sealed class Sum : IJob<SumInput, int>
{
    public ValueTask<int> RunAsync(SumInput input, JobContext context, CancellationToken cancellationToken)
    {
        int total = input.Counts.Sum(c => c.Value);
        context.LogToLeader($"total: {total}");
        return ValueTask.FromResult(total);
    }
}

/// <summary>The DESIGN §4 parent: fans out one child per document and sums their promised counts in a follow-on.</summary>
[ToilJob("fan-out")]
public sealed class FanOut : IJob<FanInput, int>
{
    public async ValueTask<int> RunAsync(FanInput input, JobContext context, CancellationToken cancellationToken)
    {
        var counts = new List<Promise<int>>();
        foreach (var document in input.Documents)
        {
            string fileId = await context.FileStore.WriteGlobalFileStreamAsync((s, ct) => s.WriteAsync(System.Text.Encoding.UTF8.GetBytes(document.Text), ct), cancellationToken: cancellationToken);
            counts.Add(context.AddChild<CountWords, CountInput, int>(new CountInput(document.Name, fileId), new() { Memory = "200Mi", Cores = 0.5 }));
        }

        context.AddFollowOn<Sum, SumInput, int>(new SumInput(counts));
        return input.Documents.Count;
    }
}

/// <summary>Appends its letter to the promised string of its predecessor (Toil's testStatic shape).</summary>
[ToilJob("append-letter")]
public sealed class AppendLetter(JobScript script) : IJob<ChainInput, string>
{
    public ValueTask<string> RunAsync(ChainInput input, JobContext context, CancellationToken cancellationToken)
    {
        string value = input.Previous.Value + input.Letter;
        lock (script.Ran)
        {
            script.Ran.Add(value);
        }

        return ValueTask.FromResult(value);
    }
}

/// <summary>Runs whatever the test put in <see cref="JobScript"/> for its step.</summary>
[ToilJob("scripted")]
public sealed class Scripted(JobScript script) : IJob<ScriptInput>
{
    public ValueTask RunAsync(ScriptInput input, JobContext context, CancellationToken cancellationToken) =>
        script.Steps.TryGetValue(input.Step, out var step) ? step(context) : ValueTask.CompletedTask;
}

/// <summary>Test-supplied bodies for <see cref="Scripted"/>, by step name.</summary>
public sealed class JobScript
{
    public Dictionary<string, Func<JobContext, ValueTask>> Steps { get; } = new(StringComparer.Ordinal);

    public List<string> Ran { get; } = [];
}

/// <summary>A job that describes its own registration.</summary>
public sealed class SelfDescribing : IJob<NameInput, string>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } =
        JobTypeRegistration.Create<SelfDescribing, NameInput, string>(AuthoringTestJson.Default.NameInput, AuthoringTestJson.Default.String, "self-describing");

    public ValueTask<string> RunAsync(NameInput input, JobContext context, CancellationToken cancellationToken) => ValueTask.FromResult(input.Name.ToUpperInvariant());
}

/// <summary>Has no attribute and no explicit name.</summary>
public sealed class Unnamed : IJob<NameInput>
{
    public ValueTask RunAsync(NameInput input, JobContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
