using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Authoring;

namespace Toil.Runtime.Reliability.Host;

/// <summary>The jobs of the machine-fault tests: a parent whose commit writes many large child records, and its children.</summary>
public static class FaultJobs
{
    /// <summary>Registers the job types.</summary>
    public static IServiceCollection Register(IServiceCollection services) =>
        services.AddToilJob<ManyChildrenJob>().AddToilJob<PayloadJob>();
}

/// <summary>
/// The parent's input: how many children and how large each child's input is; a directory outside the store for its
/// attempt log (<c>attempts</c>), the children's markers, and the hand-shake files; and what to do on the first attempt
/// (<c>wait</c>: write <c>ready</c> and wait for <c>go</c> before returning; <c>delete-worker-dir</c>: remove the worker's
/// temporary directory, then use local disk).
/// </summary>
public sealed record ManyChildrenInput(int Count, int PayloadBytes, string Directory, string FirstAttempt = "");

/// <summary>A child's input: its number, its payload and the directory of markers.</summary>
public sealed record PayloadInput(int Index, string Payload, string Directory);

/// <summary>Logs its attempt, optionally acts on its first attempt, then adds the children (written by its commit).</summary>
public sealed class ManyChildrenJob : IJob<ManyChildrenInput>, IToilJobType
{
    /// <inheritdoc />
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<ManyChildrenJob, ManyChildrenInput>(FaultJson.Default.ManyChildrenInput, "many-children");

    /// <inheritdoc />
    public async ValueTask RunAsync(ManyChildrenInput input, JobContext context, CancellationToken cancellationToken)
    {
        string attempts = Path.Combine(input.Directory, "attempts");
        int attempt = (File.Exists(attempts) ? File.ReadAllLines(attempts).Length : 0) + 1;
        ChaosPoints.Append(attempts, attempt.ToString(CultureInfo.InvariantCulture) + "\n");
        if (attempt == 1 && input.FirstAttempt == "wait")
        {
            await File.WriteAllTextAsync(Path.Combine(input.Directory, "ready"), "ready", cancellationToken);
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
            while (!File.Exists(Path.Combine(input.Directory, "go")) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20, cancellationToken);
            }
        }
        else if (attempt == 1 && input.FirstAttempt == "delete-worker-dir")
        {
            // The job's directory is under the worker's temporary directory (worker-<guid>): remove that whole tree.
            string workerDirectory = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(context.FileStore.LocalTempDir))!;
            Directory.Delete(workerDirectory, recursive: true);
            string scratch = context.FileStore.GetLocalTempDir();
            await File.WriteAllTextAsync(Path.Combine(scratch, "scratch"), "x", cancellationToken);
        }

        string payload = new('p', input.PayloadBytes);
        for (int i = 0; i < input.Count; i++)
        {
            context.AddChild<PayloadJob, PayloadInput>(new(i, payload, input.Directory));
        }
    }
}

/// <summary>Checks its payload and writes its marker.</summary>
public sealed class PayloadJob : IJob<PayloadInput>, IToilJobType
{
    /// <inheritdoc />
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<PayloadJob, PayloadInput>(FaultJson.Default.PayloadInput, "payload");

    /// <inheritdoc />
    public async ValueTask RunAsync(PayloadInput input, JobContext context, CancellationToken cancellationToken)
    {
        if (input.Payload.Any(c => c != 'p'))
        {
            throw new InvalidDataException("the payload came back damaged");
        }

        ChaosPoints.Append(Path.Combine(input.Directory, "done-" + input.Index.ToString(CultureInfo.InvariantCulture)), "1\n");
        await Task.CompletedTask;
    }
}

/// <summary>Source-generated JSON of the fault jobs' inputs.</summary>
[JsonSerializable(typeof(ManyChildrenInput))]
[JsonSerializable(typeof(PayloadInput))]
internal sealed partial class FaultJson : JsonSerializerContext
{
}
