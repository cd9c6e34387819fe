using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Authoring;
using Toil.Runtime.Deferred;

[assembly: ToilJobModule(typeof(Toil.Runtime.TestHost.WorkerTestJobs))]

namespace Toil.Runtime.TestHost;

/// <summary>
/// The job types of the worker process tests, registered by <see cref="WorkerEntryScenario"/> in code and, through the
/// assembly's <see cref="ToilJobModuleAttribute"/>, by the <c>toil worker</c> tool when this assembly is named in
/// <c>WorkflowConfig.JobAssemblies</c>.
/// </summary>
public sealed partial class WorkerTestJobs : IToilJobModule
{
    /// <summary>Writes "ran" into <see cref="MarkerInput.Path"/>.</summary>
    public const string Touch = "entry-touch";

    /// <summary>Writes <see cref="FailureStdout"/> to standard output, then throws with <see cref="FailureMessage"/>.</summary>
    public const string Fail = "entry-fail";

    /// <summary>Asks the worker for the exit code in its input.</summary>
    public const string Exit = "entry-exit";

    /// <summary>Defers a function that writes a marker, signals it is ready, and hangs until killed.</summary>
    public const string DeferAndHang = "entry-defer-and-hang";

    /// <summary>The deferred function of <see cref="DeferAndHang"/>: writes "deferred" into its path.</summary>
    public const string WriteMarker = "entry-write-marker";

    /// <summary>Appends its line to a file (one <c>write</c> with <c>O_APPEND</c>): a record of every run of a job.</summary>
    public const string Append = "entry-append";

    /// <summary>The message of the failing job's exception.</summary>
    public const string FailureMessage = "entry-fail failed on purpose";

    /// <summary>What the failing job prints before it throws.</summary>
    public const string FailureStdout = "entry-fail wrote this to standard output";

    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services)
    {
        services.AddToilJob<TouchJob>().AddToilJob<FailJob>().AddToilJob<ExitJob>().AddToilJob<DeferAndHangJob>().AddToilJob<AppendJob>();
        services.AddSingleton(new DeferredFunctionRegistry()
            .Register(WriteMarker, Json.Default.MarkerInput, static (a, ct) => new ValueTask(File.WriteAllTextAsync(a.Path, "deferred", ct))));
    }

    /// <summary>A path to write.</summary>
    /// <param name="Path">The file.</param>
    public sealed record MarkerInput(string Path);

    /// <summary>The exit code to ask for.</summary>
    /// <param name="Code">The code.</param>
    public sealed record ExitInput(int Code);

    /// <summary>The deferred function's marker, and the file that says the job is ready to be killed.</summary>
    /// <param name="Marker">Written by the deferred function.</param>
    /// <param name="Ready">Written by the job once its function is deferred.</param>
    public sealed record DeferInput(string Marker, string Ready);

    /// <summary>The file to append to and the line to append.</summary>
    /// <param name="Path">The file.</param>
    /// <param name="Line">The line, without its newline.</param>
    public sealed record AppendInput(string Path, string Line);

    /// <summary>Source-generated JSON of the inputs.</summary>
    [JsonSerializable(typeof(MarkerInput))]
    [JsonSerializable(typeof(ExitInput))]
    [JsonSerializable(typeof(DeferInput))]
    [JsonSerializable(typeof(AppendInput))]
    public sealed partial class Json : JsonSerializerContext
    {
    }

    /// <summary>See <see cref="Append"/>.</summary>
    public sealed class AppendJob : IJob<AppendInput>, IToilJobType
    {
        /// <inheritdoc />
        public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<AppendJob, AppendInput>(Json.Default.AppendInput, Append);

        /// <inheritdoc />
        public async ValueTask RunAsync(AppendInput input, JobContext context, CancellationToken cancellationToken)
        {
            // One write of the whole line, so a kill never leaves half a line.
            using var file = new FileStream(input.Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
            await file.WriteAsync(System.Text.Encoding.UTF8.GetBytes(input.Line + "\n"), cancellationToken);
        }
    }

    /// <summary>See <see cref="Touch"/>.</summary>
    public sealed class TouchJob : IJob<MarkerInput>, IToilJobType
    {
        /// <inheritdoc />
        public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<TouchJob, MarkerInput>(Json.Default.MarkerInput, Touch);

        /// <inheritdoc />
        public async ValueTask RunAsync(MarkerInput input, JobContext context, CancellationToken cancellationToken) =>
            await File.WriteAllTextAsync(input.Path, "ran", cancellationToken);
    }

    /// <summary>See <see cref="Fail"/>.</summary>
    public sealed class FailJob : IJob<MarkerInput>, IToilJobType
    {
        /// <inheritdoc />
        public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<FailJob, MarkerInput>(Json.Default.MarkerInput, Fail);

        /// <inheritdoc />
        public ValueTask RunAsync(MarkerInput input, JobContext context, CancellationToken cancellationToken)
        {
            Console.WriteLine(FailureStdout);
            throw new InvalidOperationException(FailureMessage);
        }
    }

    /// <summary>See <see cref="Exit"/>.</summary>
    public sealed class ExitJob : IJob<ExitInput>, IToilJobType
    {
        /// <inheritdoc />
        public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<ExitJob, ExitInput>(Json.Default.ExitInput, Exit);

        /// <inheritdoc />
        public ValueTask RunAsync(ExitInput input, JobContext context, CancellationToken cancellationToken) =>
            throw new JobExitException(input.Code);
    }

    /// <summary>See <see cref="DeferAndHang"/>.</summary>
    public sealed class DeferAndHangJob : IJob<DeferInput>, IToilJobType
    {
        /// <inheritdoc />
        public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<DeferAndHangJob, DeferInput>(Json.Default.DeferInput, DeferAndHang);

        /// <inheritdoc />
        public async ValueTask RunAsync(DeferInput input, JobContext context, CancellationToken cancellationToken)
        {
            await context.DeferAsync(WriteMarker, new MarkerInput(input.Marker), cancellationToken);
            await File.WriteAllTextAsync(input.Ready, "ready", cancellationToken);

            // Bounded: the test kills the process long before this.
            await Task.Delay(TimeSpan.FromMinutes(2), cancellationToken);
        }
    }
}
