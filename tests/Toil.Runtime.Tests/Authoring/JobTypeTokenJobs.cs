using System.Text.Json.Serialization;
using Toil.Runtime.Authoring;

namespace Toil.Runtime.Tests.Authoring;

public sealed record TokenFanInput(List<string> Words);

public sealed record TokenSumInput(List<Promise<int>> Counts);

public sealed record TokenNoteInput(string Text);

[JsonSerializable(typeof(TokenFanInput))]
[JsonSerializable(typeof(TokenSumInput))]
[JsonSerializable(typeof(TokenNoteInput))]
[JsonSerializable(typeof(NameInput))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(string))]
public sealed partial class TokenTestJson : JsonSerializerContext;

/// <summary>Returns the length of its input; its token has an explicit name.</summary>
public sealed class TokenLength : IJob<string, int>
{
    public static JobType<TokenLength, string, int> Type { get; } =
        JobType.Create<TokenLength, string, int>(TokenTestJson.Default.String, TokenTestJson.Default.Int32, "token-length");

    public ValueTask<int> RunAsync(string input, JobContext context, CancellationToken cancellationToken) => ValueTask.FromResult(input.Length);
}

/// <summary>Adds up its promised counts, tells the leader and returns the total.</summary>
public sealed class TokenSum : IJob<TokenSumInput, int>
{
    public static JobType<TokenSum, TokenSumInput, int> Type { get; } =
        JobType.Create<TokenSum, TokenSumInput, int>(TokenTestJson.Default.TokenSumInput, TokenTestJson.Default.Int32, "token-sum");

    public ValueTask<int> RunAsync(TokenSumInput input, JobContext context, CancellationToken cancellationToken)
    {
        int total = input.Counts.Sum(c => c.Value);
        context.LogToLeader($"total {total}");
        return ValueTask.FromResult(total);
    }
}

/// <summary>Tells the leader its text; its token takes the name from <see cref="ToilJobAttribute"/>.</summary>
[ToilJob("token-note")]
public sealed class TokenNote : IJob<TokenNoteInput>
{
    public static JobType<TokenNote, TokenNoteInput> Type { get; } = JobType.Create<TokenNote, TokenNoteInput>(TokenTestJson.Default.TokenNoteInput);

    public ValueTask RunAsync(TokenNoteInput input, JobContext context, CancellationToken cancellationToken)
    {
        context.LogToLeader(input.Text);
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// One child per word through every token entry point of the job context and of a job handle (no type arguments
/// anywhere), then a follow-on that sums the children's promised lengths.
/// </summary>
public sealed class TokenFanOut : IJob<TokenFanInput>
{
    public static JobType<TokenFanOut, TokenFanInput> Type { get; } =
        JobType.Create<TokenFanOut, TokenFanInput>(TokenTestJson.Default.TokenFanInput, "token-fan-out");

    public ValueTask RunAsync(TokenFanInput input, JobContext context, CancellationToken cancellationToken)
    {
        var counts = new List<Promise<int>>();
        for (int i = 0; i < input.Words.Count; i++)
        {
            string word = input.Words[i];
            if (i % 3 == 0)
            {
                counts.Add(context.AddChild(TokenLength.Type, word));
            }
            else if (i % 3 == 1)
            {
                counts.Add(context.Job.AddChild(TokenLength.Type, word, displayName: $"word {i}"));
            }
            else
            {
                Promise<int> created = context.CreateJob(TokenLength.Type, word);
                context.AddChild(created.Job!);
                counts.Add(created);
            }
        }

        Promise<int> total = context.AddFollowOn(TokenSum.Type, new TokenSumInput(counts));
        total.Job!.AddFollowOn(TokenNote.Type, new TokenNoteInput("after the total"));
        context.AddCheckpointChild(TokenNote.Type, new TokenNoteInput("checkpoint"));
        return ValueTask.CompletedTask;
    }
}

/// <summary>Implements two job interfaces, so two tokens can name it with different input types.</summary>
public sealed class TwoInputs : IJob<string, int>, IJob<NameInput, int>
{
    public ValueTask<int> RunAsync(string input, JobContext context, CancellationToken cancellationToken) => ValueTask.FromResult(1);

    public ValueTask<int> RunAsync(NameInput input, JobContext context, CancellationToken cancellationToken) => ValueTask.FromResult(2);
}

/// <summary>Adds a child from the token it is given (by name: a token registered elsewhere, or not at all).</summary>
public sealed class AddsTokenChild : IJob<string>
{
    public static JobType<AddsTokenChild, string> Type { get; } = JobType.Create<AddsTokenChild, string>(TokenTestJson.Default.String, "adds-token-child");

    /// <summary>The child tokens, by the name the input gives.</summary>
    internal static Dictionary<string, JobType<TwoInputs, string, int>> Children { get; } = new(StringComparer.Ordinal)
    {
        ["unregistered"] = JobType.Create<TwoInputs, string, int>(TokenTestJson.Default.String, TokenTestJson.Default.Int32, "not-registered"),
        ["mismatched"] = JobType.Create<TwoInputs, string, int>(TokenTestJson.Default.String, TokenTestJson.Default.Int32, "token-length"),
    };

    public ValueTask RunAsync(string input, JobContext context, CancellationToken cancellationToken)
    {
        context.AddChild(Children[input], "x");
        return ValueTask.CompletedTask;
    }
}
