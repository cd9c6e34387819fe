using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Authoring;

namespace Toil.Runtime.Operate.Tests;

/// <summary>Adds a child until its input reaches 0: each child is its parent's only successor, so a worker chains them all.</summary>
public sealed class ChainJob : IJob<int>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<ChainJob, int>(OperateJson.Default.Int32, "chain");

    public ValueTask RunAsync(int input, JobContext context, CancellationToken cancellationToken)
    {
        if (input > 0)
        {
            context.AddChild<ChainJob, int>(input - 1);
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>Waits (bounded by its cancellation token) until the file named by its input exists, after touching "started" beside it (after deferring a function that touches "deferred-ran").</summary>
public sealed class WaitForFileJob : IJob<string>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<WaitForFileJob, string>(OperateJson.Default.String, "wait-for-file");

    public async ValueTask RunAsync(string input, JobContext context, CancellationToken cancellationToken)
    {
        await context.DeferAsync(OperateJobs.TouchFunction, input + ".deferred-ran", cancellationToken);
        await File.AppendAllTextAsync(input + ".started", "x", cancellationToken);
        while (!File.Exists(input))
        {
            await Task.Delay(20, cancellationToken);
        }
    }
}

public static class OperateJobs
{
    /// <summary>The deferred function <see cref="WaitForFileJob"/> defers: appends "x" to the file it is given.</summary>
    public const string TouchFunction = "touch";

    public static IServiceCollection Register(IServiceCollection services) =>
        services.AddToilJob<ChainJob>().AddToilJob<WaitForFileJob>()
            .AddSingleton(new Deferred.DeferredFunctionRegistry().Register<string>(TouchFunction, OperateJson.Default.String, (path, ct) => new ValueTask(File.AppendAllTextAsync(path, "x", ct))));
}

[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(string))]
internal sealed partial class OperateJson : JsonSerializerContext
{
}
