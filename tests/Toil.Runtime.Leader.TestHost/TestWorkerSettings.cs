using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Leader.TestHost;

/// <summary>
/// Test-only environment variables this host reads, as a worker program, into its <see cref="WorkerOptions"/>: the
/// leader's chaos settings (Toil's <c>badWorker</c> and <c>badWorkerFailInterval</c>), which reach a worker process only
/// through the environment the leader gives it (<c>LeaderOptions.WorkerEnvironment</c>).
/// </summary>
public static class TestWorkerSettings
{
    /// <summary>The variable read into <see cref="WorkerOptions.BadWorker"/> (a probability, invariant culture).</summary>
    public const string BadWorkerVariable = "TOIL_TEST_BAD_WORKER";

    /// <summary>The variable read into <see cref="WorkerOptions.BadWorkerFailInterval"/> (milliseconds, invariant culture).</summary>
    public const string BadWorkerFailIntervalVariable = "TOIL_TEST_BAD_WORKER_FAIL_INTERVAL_MS";

    /// <summary>Adds the variables' values, when set, to the worker options.</summary>
    public static IServiceCollection Register(IServiceCollection services) =>
        services.Configure<WorkerOptions>(o =>
        {
            if (Read(BadWorkerVariable) is { } badWorker)
            {
                o.BadWorker = badWorker;
            }

            if (Read(BadWorkerFailIntervalVariable) is { } interval)
            {
                o.BadWorkerFailInterval = TimeSpan.FromMilliseconds(interval);
            }
        });

    private static double? Read(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } text ? double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture) : null;
}
