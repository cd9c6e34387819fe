using System.Text;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Toil.Runtime.Authoring;

namespace Toil.Runtime.Tests.Testing;

public sealed record TextInput(string Name, string Text);

public sealed record PartsInput(List<string> Parts);

public sealed record TotalInput(List<Promise<int>> Counts);

public sealed record CleanupArgs(string Path);

[JsonSerializable(typeof(TextInput))]
[JsonSerializable(typeof(PartsInput))]
[JsonSerializable(typeof(TotalInput))]
[JsonSerializable(typeof(CleanupArgs))]
[JsonSerializable(typeof(int))]
internal sealed partial class HarnessTestJson : JsonSerializerContext;

/// <summary>Counts words, writes them to a file, tells the leader, defers a cleanup and returns the count.</summary>
[ToilJob("harness-count")]
public sealed class HarnessCount : IJob<TextInput, int>
{
    public async ValueTask<int> RunAsync(TextInput input, JobContext context, CancellationToken ct)
    {
        int words = input.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        await context.FileStore.WriteGlobalFileStreamAsync((s, c) => s.WriteAsync(Encoding.UTF8.GetBytes($"{input.Name}={words}"), c), cancellationToken: ct);
        context.LogToLeader($"{input.Name}: {words} words");
        context.Logger.LogWarning("counted {Name}", input.Name);
        await context.DeferAsync("cleanup", new CleanupArgs("/tmp/" + input.Name), ct);
        return words;
    }
}

/// <summary>Adds one counting child per part and a follow-on that sums their promised counts.</summary>
[ToilJob("harness-split")]
public sealed class HarnessSplit : IJob<PartsInput>
{
    public ValueTask RunAsync(PartsInput input, JobContext context, CancellationToken ct)
    {
        var counts = input.Parts
            .Select((p, i) => context.AddChild<HarnessCount, TextInput, int>(new($"part{i}", p), new() { Cores = 0.5 }))
            .ToList();
        context.AddFollowOn<HarnessTotal, TotalInput, int>(new(counts));
        return ValueTask.CompletedTask;
    }
}

[ToilJob("harness-total")]
public sealed class HarnessTotal : IJob<TotalInput, int>
{
    public ValueTask<int> RunAsync(TotalInput input, JobContext context, CancellationToken ct)
    {
        int total = input.Counts.Sum(c => c.Value);
        context.LogToLeader($"total {total}", LogLevel.Warning);
        return ValueTask.FromResult(total);
    }
}

[ToilJob("harness-fail")]
public sealed class HarnessFail : IJob<TextInput>
{
    public async ValueTask RunAsync(TextInput input, JobContext context, CancellationToken ct)
    {
        await context.DeferAsync("cleanup", new CleanupArgs("/tmp/failed"), ct);
        throw new InvalidOperationException("boom: " + input.Name);
    }
}
