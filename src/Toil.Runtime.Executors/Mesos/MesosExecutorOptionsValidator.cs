using Microsoft.Extensions.Options;

namespace Toil.Runtime.Executors.Mesos;

/// <summary>Validates <see cref="MesosExecutorOptions"/>.</summary>
public sealed class MesosExecutorOptionsValidator : IValidateOptions<MesosExecutorOptions>
{
    /// <summary>Validates the options.</summary>
    /// <param name="name">The options name.</param>
    /// <param name="options">The options.</param>
    /// <returns>Success, or a failure listing every problem.</returns>
    public ValidateOptionsResult Validate(string? name, MesosExecutorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.FrameworkId))
        {
            problems.Add($"{nameof(options.FrameworkId)} is required (MESOS_FRAMEWORK_ID)");
        }

        if (string.IsNullOrWhiteSpace(options.ExecutorId))
        {
            problems.Add($"{nameof(options.ExecutorId)} is required (MESOS_EXECUTOR_ID)");
        }

        if (!MesosExecutorEnvironment.TryParseEndpoint(options.AgentEndpoint, out _))
        {
            problems.Add($"{nameof(options.AgentEndpoint)} must be host:port (was '{options.AgentEndpoint}')");
        }

        Positive(problems, nameof(options.RecoveryTimeout), options.RecoveryTimeout);
        Positive(problems, nameof(options.SubscriptionBackoffMax), options.SubscriptionBackoffMax);
        Positive(problems, nameof(options.ShutdownGracePeriod), options.ShutdownGracePeriod);
        Positive(problems, nameof(options.CallTimeout), options.CallTimeout);
        Positive(problems, nameof(options.ResourceDownloadTimeout), options.ResourceDownloadTimeout);
        Positive(problems, nameof(options.NodeInfoIntervalMin), options.NodeInfoIntervalMin);
        if (options.EventStreamIdleTimeout is { } idle)
        {
            Positive(problems, nameof(options.EventStreamIdleTimeout), idle);
        }

        if (options.NodeInfoIntervalMax < options.NodeInfoIntervalMin)
        {
            problems.Add($"{nameof(options.NodeInfoIntervalMax)} must not be less than {nameof(options.NodeInfoIntervalMin)}");
        }

        if (options.TimeProvider is null)
        {
            problems.Add($"{nameof(options.TimeProvider)} is required");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void Positive(List<string> problems, string name, TimeSpan value)
    {
        // Task.Delay and CancelAfter take at most ~49.7 days.
        if (value <= TimeSpan.Zero || value > TimeSpan.FromDays(49))
        {
            problems.Add($"{name} must be positive and at most 49 days (was {value})");
        }
    }
}
