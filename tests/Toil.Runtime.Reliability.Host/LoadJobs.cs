using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Authoring;

namespace Toil.Runtime.Reliability.Host;

/// <summary>
/// The load workflow: a root fans out <c>Chains</c> chains of <c>Length</c> jobs each (every link adds one child, so a
/// worker process runs a whole chain); every link appends its process ID to its own side-effect file <c>c&lt;chain&gt;-&lt;link&gt;</c>.
/// </summary>
public static class LoadJobs
{
    /// <summary>Registers the job types.</summary>
    public static IServiceCollection Register(IServiceCollection services) => services.AddToilJob<LoadRootJob>().AddToilJob<LoadLinkJob>();

    /// <summary>The side-effect file of one link.</summary>
    public static string EffectFile(string directory, int chain, int link) =>
        Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"c{chain}-{link}"));
}

/// <summary>The load workflow's input.</summary>
public sealed record LoadInput(int Chains, int Length, string Directory);

/// <summary>One link's input.</summary>
public sealed record LinkInput(int Chain, int Link, int Length, string Directory);

/// <summary>Fans out the chains.</summary>
public sealed class LoadRootJob : IJob<LoadInput>, IToilJobType
{
    /// <inheritdoc />
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<LoadRootJob, LoadInput>(LoadJson.Default.LoadInput, "load-root");

    /// <inheritdoc />
    public ValueTask RunAsync(LoadInput input, JobContext context, CancellationToken cancellationToken)
    {
        for (int c = 0; c < input.Chains; c++)
        {
            context.AddChild<LoadLinkJob, LinkInput>(new(c, 0, input.Length, input.Directory));
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>Records its run and adds the next link.</summary>
public sealed class LoadLinkJob : IJob<LinkInput>, IToilJobType
{
    /// <inheritdoc />
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<LoadLinkJob, LinkInput>(LoadJson.Default.LinkInput, "load-link");

    /// <inheritdoc />
    public ValueTask RunAsync(LinkInput input, JobContext context, CancellationToken cancellationToken)
    {
        ChaosPoints.Append(LoadJobs.EffectFile(input.Directory, input.Chain, input.Link), Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        if (input.Link + 1 < input.Length)
        {
            context.AddChild<LoadLinkJob, LinkInput>(input with { Link = input.Link + 1 });
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>Source-generated JSON of the load inputs.</summary>
[JsonSerializable(typeof(LoadInput))]
[JsonSerializable(typeof(LinkInput))]
internal sealed partial class LoadJson : JsonSerializerContext
{
}
