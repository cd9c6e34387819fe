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

public sealed record FileRef(string FileId, int Seed);

public sealed record FileChainInput(int Step, int Steps, int Length, List<FileRef> Files);

[JsonSerializable(typeof(FileChainInput))]
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

/// <summary>The parent of the README's fan-out example: fans out one child per document and sums their promised counts in a follow-on.</summary>
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

/// <summary>
/// Toil's jobFileStoreTest.testJobFileStore: each job in a chain reads each input file (to a generated or given path,
/// or as a stream) or deletes it, checks the content, tops the set up with new files written from a local file or a
/// stream, checks their sizes, and passes them to its child.
/// </summary>
[ToilJob("file-chain")]
public sealed class FileChain(JobScript script) : IJob<FileChainInput>
{
    public const int FileCount = 5;

    public static string Content(int seed, int length)
    {
        var random = new Random(seed);
        var text = new System.Text.StringBuilder(length);
        while (text.Length < length)
        {
            text.Append((char)random.Next('a', 'z' + 1));
            if (random.Next(80) == 0)
            {
                text.Append('\n');
            }
        }

        return text.ToString(0, length);
    }

    public async ValueTask RunAsync(FileChainInput input, JobContext context, CancellationToken cancellationToken)
    {
        var fs = context.FileStore;
        var random = new Random(input.Step);
        var outputs = new List<FileRef>();
        foreach (var file in input.Files)
        {
            string expected = Content(file.Seed, input.Length);
            switch (random.Next(4))
            {
                case 0:
                    (await File.ReadAllTextAsync(await fs.ReadGlobalFileAsync(file.FileId, cancellationToken: cancellationToken), cancellationToken)).Should().Be(expected);
                    outputs.Add(file);
                    break;
                case 1:
                    string path = Path.Combine(fs.LocalTempDir, $"given-{file.Seed}.txt");
                    (await File.ReadAllTextAsync(await fs.ReadGlobalFileAsync(file.FileId, path, cancellationToken), cancellationToken)).Should().Be(expected);
                    outputs.Add(file);
                    break;
                case 2:
                    await using (var stream = await fs.ReadGlobalFileStreamAsync(file.FileId, cancellationToken))
                    {
                        using var reader = new StreamReader(stream);
                        (await reader.ReadToEndAsync(cancellationToken)).Should().Be(expected);
                    }

                    outputs.Add(file);
                    break;
                default:
                    await fs.DeleteGlobalFileAsync(file.FileId, cancellationToken);
                    lock (script.Ran)
                    {
                        script.Ran.Add("deleted:" + file.FileId);
                    }

                    break;
            }
        }

        while (outputs.Count < FileCount)
        {
            int seed = random.Next();
            string content = Content(seed, input.Length);
            string fileId;
            if (random.Next(2) == 0)
            {
                string local = random.Next(2) == 0 ? fs.GetLocalTempFile() : Path.Combine(fs.LocalTempDir, "temp.txt");
                await File.WriteAllTextAsync(local, content, cancellationToken);
                fileId = await fs.WriteGlobalFileAsync(local, cancellationToken: cancellationToken);
                File.Delete(local);
            }
            else
            {
                fileId = await fs.WriteGlobalFileStreamAsync((s, ct) => s.WriteAsync(System.Text.Encoding.UTF8.GetBytes(content), ct), cancellationToken: cancellationToken);
            }

            (await fs.GetGlobalFileSizeAsync(fileId, cancellationToken)).Should().Be(System.Text.Encoding.UTF8.GetByteCount(content));
            outputs.Add(new FileRef(fileId, seed));
        }

        lock (script.Ran)
        {
            script.Ran.Add($"step:{input.Step}");
        }

        if (input.Step + 1 < input.Steps)
        {
            context.AddChild<FileChain, FileChainInput>(input with { Step = input.Step + 1, Files = outputs });
        }
        else
        {
            lock (script.Ran)
            {
                script.Ran.AddRange(outputs.Select(o => $"kept:{o.FileId}:{o.Seed}"));
            }
        }
    }
}

/// <summary>Tries to return its child's promise inside its own return value.</summary>
[ToilJob("returns-promise")]
public sealed class ReturnsPromise : IJob<NameInput, ChainInput>
{
    public ValueTask<ChainInput> RunAsync(NameInput input, JobContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new ChainInput(context.AddChild<AppendLetter, ChainInput, string>(new ChainInput("", "A")), input.Name));
}

/// <summary>A scoped service that records its disposal.</summary>
public sealed class ScopedThing : IDisposable
{
    public Guid Id { get; } = Guid.NewGuid();

    public bool Disposed { get; private set; }

    public void Dispose() => Disposed = true;
}

/// <summary>Takes a scoped service and hands it to the test.</summary>
public sealed class UsesScoped(ScopedThing thing, List<ScopedThing> seen) : IJob<NameInput>
{
    public ValueTask RunAsync(NameInput input, JobContext context, CancellationToken cancellationToken)
    {
        seen.Add(thing);
        thing.Disposed.Should().BeFalse();
        return ValueTask.CompletedTask;
    }
}
