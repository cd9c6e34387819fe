using System.Text.Json.Serialization;
using Toil.Runtime.Authoring;

namespace HostedWorkflow;

/// <summary>The root: one greeting child per name; each child's only successor chains into its worker run.</summary>
public sealed class GreetAllJob : IJob<string[]>, IToilJobType
{
    /// <summary>Gets the job's type token: registration (<c>AddToilJob(GreetAllJob.Type)</c>) and creation in one.</summary>
    public static JobType<GreetAllJob, string[]> Type { get; } = JobType.Create<GreetAllJob, string[]>(HostedJson.Default.StringArray, "greet-all");

    /// <inheritdoc />
    static JobTypeRegistration IToilJobType.Registration => Type;

    /// <inheritdoc />
    public ValueTask RunAsync(string[] input, JobContext context, CancellationToken cancellationToken)
    {
        foreach (string name in input)
        {
            context.AddChild(GreetJob.Type, name);
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>Greets one name (to the leader's log) after a short wait, so a Ctrl+C can stop the run mid-way.</summary>
public sealed class GreetJob : IJob<string>, IToilJobType
{
    /// <summary>Gets the job's type token: registration (<c>AddToilJob(GreetJob.Type)</c>) and creation in one.</summary>
    public static JobType<GreetJob, string> Type { get; } = JobType.Create<GreetJob, string>(HostedJson.Default.String, "greet");

    /// <inheritdoc />
    static JobTypeRegistration IToilJobType.Registration => Type;

    /// <inheritdoc />
    public async ValueTask RunAsync(string input, JobContext context, CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(300), cancellationToken);
        context.LogToLeader($"Hello, {input}!");
    }
}

[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class HostedJson : JsonSerializerContext
{
}
