using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Authoring;
using Toil.Runtime.Deferred;

[assembly: ToilJobModule(typeof(Toil.Runtime.Leader.ProcessTests.Host.ProcessTestJobs))]

namespace Toil.Runtime.Leader.ProcessTests.Host;

/// <summary>The job types of the local-process batch system tests (registered in code by the host, and by <c>toil worker</c> through the module attribute).</summary>
public sealed partial class ProcessTestJobs : IToilJobModule
{
    /// <summary>Writes "ran" into its path.</summary>
    public const string Touch = "lp-touch";

    /// <summary>Asks the worker for the exit code in its input.</summary>
    public const string Exit = "lp-exit";

    /// <summary>Writes its process ID into a ready file and hangs; on SIGTERM writes a marker, and ignores the signal if asked.</summary>
    public const string Hang = "lp-hang";

    /// <summary>Records when it started and ended (UTC ticks) after holding for a while.</summary>
    public const string Span = "lp-span";

    /// <summary>Writes the values of environment variables into a file.</summary>
    public const string Env = "lp-env";

    /// <summary>Defers <see cref="WriteMarker"/>, writes a ready file and hangs.</summary>
    public const string DeferAndHang = "lp-defer-and-hang";

    /// <summary>
    /// Writes its process ID and its local temporary directory into its path, writes lines shaped like serving-worker
    /// results to its standard output and through a child process (which also reads its standard input), then asks for
    /// the exit code in its input.
    /// </summary>
    public const string Where = "lp-where";

    /// <summary>The deferred function: writes "deferred" into its path.</summary>
    public const string WriteMarker = "lp-write-marker";

    /// <summary>The registry of the deferred functions (the leader needs the same one to run orphans).</summary>
    public static DeferredFunctionRegistry CreateDeferredFunctions() => new DeferredFunctionRegistry()
        .Register(WriteMarker, Json.Default.MarkerInput, static (a, ct) => new ValueTask(File.WriteAllTextAsync(a.Path, "deferred", ct)));

    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services)
    {
        services.AddToilJob<TouchJob>().AddToilJob<ExitJob>().AddToilJob<HangJob>().AddToilJob<SpanJob>().AddToilJob<EnvJob>().AddToilJob<DeferAndHangJob>().AddToilJob<WhereJob>();
        services.AddSingleton(CreateDeferredFunctions());
    }

    /// <summary>A path.</summary>
    public sealed record MarkerInput(string Path);

    /// <summary>An exit code.</summary>
    public sealed record ExitInput(int Code);

    /// <summary>The ready file, the file written on SIGTERM, and whether to ignore SIGTERM.</summary>
    public sealed record HangInput(string Ready, string TermMarker, bool IgnoreTerm);

    /// <summary>The file to write the span into and how long to hold.</summary>
    public sealed record SpanInput(string Path, int HoldMilliseconds);

    /// <summary>The variables to read and the file to write them into (one <c>NAME=value</c> line each).</summary>
    public sealed record EnvInput(IReadOnlyList<string> Variables, string Path);

    /// <summary>The file to write into and the exit code to ask for (0: succeed).</summary>
    public sealed record WhereInput(string Path, int ExitCode);

    /// <summary>The deferred function's marker and the ready file.</summary>
    public sealed record DeferInput(string Marker, string Ready);

    /// <summary>Source-generated JSON of the inputs.</summary>
    [JsonSerializable(typeof(MarkerInput))]
    [JsonSerializable(typeof(ExitInput))]
    [JsonSerializable(typeof(HangInput))]
    [JsonSerializable(typeof(SpanInput))]
    [JsonSerializable(typeof(EnvInput))]
    [JsonSerializable(typeof(DeferInput))]
    [JsonSerializable(typeof(WhereInput))]
    public sealed partial class Json : JsonSerializerContext
    {
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

    /// <summary>See <see cref="Exit"/>.</summary>
    public sealed class ExitJob : IJob<ExitInput>, IToilJobType
    {
        /// <inheritdoc />
        public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<ExitJob, ExitInput>(Json.Default.ExitInput, Exit);

        /// <inheritdoc />
        public ValueTask RunAsync(ExitInput input, JobContext context, CancellationToken cancellationToken) => throw new JobExitException(input.Code);
    }

    /// <summary>See <see cref="Hang"/>.</summary>
    public sealed class HangJob : IJob<HangInput>, IToilJobType
    {
        /// <inheritdoc />
        public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<HangJob, HangInput>(Json.Default.HangInput, Hang);

        /// <inheritdoc />
        public async ValueTask RunAsync(HangInput input, JobContext context, CancellationToken cancellationToken)
        {
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
            {
                File.WriteAllText(input.TermMarker, "term");
                c.Cancel = input.IgnoreTerm;
            });
            await File.WriteAllTextAsync(input.Ready, Environment.ProcessId.ToString(CultureInfo.InvariantCulture), cancellationToken);

            // Bounded: the tests kill the worker long before this.
            await Task.Delay(TimeSpan.FromMinutes(2), cancellationToken);
        }
    }

    /// <summary>See <see cref="Span"/>.</summary>
    public sealed class SpanJob : IJob<SpanInput>, IToilJobType
    {
        /// <inheritdoc />
        public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<SpanJob, SpanInput>(Json.Default.SpanInput, Span);

        /// <inheritdoc />
        public async ValueTask RunAsync(SpanInput input, JobContext context, CancellationToken cancellationToken)
        {
            long start = DateTime.UtcNow.Ticks;
            await Task.Delay(input.HoldMilliseconds, cancellationToken);
            long end = DateTime.UtcNow.Ticks;
            await File.WriteAllTextAsync(input.Path, string.Create(CultureInfo.InvariantCulture, $"{start} {end}"), cancellationToken);
        }
    }

    /// <summary>See <see cref="Env"/>.</summary>
    public sealed class EnvJob : IJob<EnvInput>, IToilJobType
    {
        /// <inheritdoc />
        public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<EnvJob, EnvInput>(Json.Default.EnvInput, Env);

        /// <inheritdoc />
        public async ValueTask RunAsync(EnvInput input, JobContext context, CancellationToken cancellationToken) =>
            await File.WriteAllLinesAsync(input.Path, input.Variables.Select(v => $"{v}={Environment.GetEnvironmentVariable(v) ?? "<unset>"}"), cancellationToken);
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

            // Bounded: the test kills the worker long before this.
            await Task.Delay(TimeSpan.FromMinutes(2), cancellationToken);
        }
    }

    /// <summary>See <see cref="Where"/>.</summary>
    public sealed class WhereJob : IJob<WhereInput>, IToilJobType
    {
        /// <inheritdoc />
        public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<WhereJob, WhereInput>(Json.Default.WhereInput, Where);

        /// <inheritdoc />
        public async ValueTask RunAsync(WhereInput input, JobContext context, CancellationToken cancellationToken)
        {
            for (int id = 0; id < 50; id++)
            {
                Console.WriteLine($"{{\"id\":{id},\"exitCode\":0}}");
            }

            var shell = new System.Diagnostics.ProcessStartInfo("/bin/sh") { UseShellExecute = false, ArgumentList = { "-c", "for i in 1 2 3 4 5 6 7 8 9; do echo \"{\\\"id\\\":$i,\\\"exitCode\\\":0}\"; done; cat" } };
            using (var child = System.Diagnostics.Process.Start(shell)!)
            {
                await child.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            }

            await File.WriteAllTextAsync(input.Path, string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId}\n{context.FileStore.LocalTempDir}\n"), cancellationToken);
            if (input.ExitCode != 0)
            {
                throw new JobExitException(input.ExitCode);
            }
        }
    }
}
