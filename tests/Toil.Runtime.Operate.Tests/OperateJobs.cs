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

/// <summary>Sizes for <see cref="WriteBytesJob"/>: bytes written as a stream and from a local file, and how much of the second the reader reads.</summary>
public sealed record BytesInput(int StreamBytes, int FileBytes, int PartialRead);

/// <summary>What <see cref="ReadBytesJob"/> reads: a file read whole to a local copy, and a file of which it reads only the first bytes as a stream.</summary>
public sealed record ReadInput(string WholeFileId, string PartFileId, int PartialRead);

/// <summary>Writes two global files of known sizes (one from a stream, one from a local file), then adds <see cref="ReadBytesJob"/> as its child (chained).</summary>
public sealed class WriteBytesJob : IJob<BytesInput>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<WriteBytesJob, BytesInput>(OperateJson.Default.BytesInput, "write-bytes");

    public async ValueTask RunAsync(BytesInput input, JobContext context, CancellationToken cancellationToken)
    {
        byte[] content = new byte[input.StreamBytes];
        Array.Fill(content, (byte)'s');
        string whole = await context.FileStore.WriteGlobalFileStreamAsync((s, ct) => s.WriteAsync(content, ct), cancellationToken: cancellationToken);
        string local = context.FileStore.GetLocalTempFile();
        await File.WriteAllBytesAsync(local, new byte[input.FileBytes], cancellationToken);
        string part = await context.FileStore.WriteGlobalFileAsync(local, cancellationToken: cancellationToken);
        context.AddChild<ReadBytesJob, ReadInput>(new ReadInput(whole, part, input.PartialRead));
    }
}

/// <summary>Reads one global file whole (to a local copy) and only the first bytes of another (as a stream).</summary>
public sealed class ReadBytesJob : IJob<ReadInput>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<ReadBytesJob, ReadInput>(OperateJson.Default.ReadInput, "read-bytes");

    public async ValueTask RunAsync(ReadInput input, JobContext context, CancellationToken cancellationToken)
    {
        await context.FileStore.ReadGlobalFileAsync(input.WholeFileId, cancellationToken: cancellationToken);
        var stream = await context.FileStore.ReadGlobalFileStreamAsync(input.PartFileId, cancellationToken);
        await using (stream)
        {
            await stream.ReadExactlyAsync(new byte[input.PartialRead], cancellationToken);
        }
    }
}

/// <summary>Keeps a core busy until the process has used the given milliseconds of CPU more than when it started (bounded by 30 s of wall time).</summary>
public sealed class SpinJob : IJob<int>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<SpinJob, int>(OperateJson.Default.Int32, "spin");

    public ValueTask RunAsync(int input, JobContext context, CancellationToken cancellationToken)
    {
        var until = Environment.CpuUsage.TotalTime + TimeSpan.FromMilliseconds(input);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        double sink = 0;
        while (Environment.CpuUsage.TotalTime < until && DateTime.UtcNow < deadline)
        {
            for (int i = 1; i < 100_000; i++)
            {
                sink += Math.Sqrt(i);
            }
        }

        return sink > 0 ? ValueTask.CompletedTask : ValueTask.CompletedTask;
    }
}

public static class OperateJobs
{
    /// <summary>The deferred function <see cref="WaitForFileJob"/> defers: appends "x" to the file it is given.</summary>
    public const string TouchFunction = "touch";

    public static IServiceCollection Register(IServiceCollection services) =>
        services.AddToilJob<ChainJob>().AddToilJob<WaitForFileJob>().AddToilJob<WriteBytesJob>().AddToilJob<ReadBytesJob>().AddToilJob<SpinJob>()
            .AddSingleton(new Deferred.DeferredFunctionRegistry().Register<string>(TouchFunction, OperateJson.Default.String, (path, ct) => new ValueTask(File.AppendAllTextAsync(path, "x", ct))));
}

[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(BytesInput))]
[JsonSerializable(typeof(ReadInput))]
internal sealed partial class OperateJson : JsonSerializerContext
{
}
