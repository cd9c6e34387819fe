using System.ComponentModel.DataAnnotations;
using Toil.Runtime.Executors.Resources;

namespace Toil.Runtime.Executors.Mesos;

/// <summary>Options of a <see cref="MesosExecutor"/>. A Mesos agent provides them through the environment; see
/// <see cref="MesosExecutorEnvironment.Read(Func{string, string?}, Microsoft.Extensions.Logging.ILogger?)"/>.</summary>
public sealed class MesosExecutorOptions : IValidatableObject
{
    /// <summary>Gets or sets the framework ID (<c>MESOS_FRAMEWORK_ID</c>), sent with every call.</summary>
    /// <value>The default value is <see langword="null"/>; it is required.</value>
    [Required(ErrorMessage = "{0} is required (MESOS_FRAMEWORK_ID)")]
    public string? FrameworkId { get; set; }

    /// <summary>Gets or sets the executor ID (<c>MESOS_EXECUTOR_ID</c>), sent with every call and every status update.</summary>
    /// <value>The default value is <see langword="null"/>; it is required.</value>
    [Required(ErrorMessage = "{0} is required (MESOS_EXECUTOR_ID)")]
    public string? ExecutorId { get; set; }

    /// <summary>Gets or sets the agent's <c>host:port</c> (<c>MESOS_AGENT_ENDPOINT</c>).</summary>
    /// <value>The default value is <c>127.0.0.1:5051</c>.</value>
    public string AgentEndpoint { get; set; } = "127.0.0.1:5051";

    /// <summary>Gets or sets a value indicating whether the framework checkpoints (<c>MESOS_CHECKPOINT</c> is <c>1</c>).
    /// With checkpointing the executor re-subscribes after a broken event stream; without it, it ends.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Checkpoint { get; set; }

    /// <summary>Gets or sets how long the executor keeps trying to re-subscribe after losing the agent
    /// (<c>MESOS_RECOVERY_TIMEOUT</c>); only used with <see cref="Checkpoint"/>.</summary>
    /// <value>The default value is 15 minutes (the agent's default <c>--recovery_timeout</c>).</value>
    public TimeSpan RecoveryTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Gets or sets the longest wait between two subscription attempts (<c>MESOS_SUBSCRIPTION_BACKOFF_MAX</c>).</summary>
    /// <value>The default value is 2 seconds (the agent's default <c>--executor_reregistration_timeout</c>).</value>
    public TimeSpan SubscriptionBackoffMax { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets or sets how long the executor has, after SHUTDOWN, to kill its tasks, report them and exit
    /// (<c>MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD</c>).</summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan ShutdownGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the bound on one HTTP call to the agent (a status update, a message, <c>/state</c>, and the
    /// response headers of SUBSCRIBE).</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how long the event stream may stay silent before it is treated as broken, or
    /// <see langword="null"/> to wait without a bound. Agents send HEARTBEAT events (by default every 30 minutes).</summary>
    /// <value>The default value is 1 hour.</value>
    public TimeSpan? EventStreamIdleTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets the shortest wait between two node-info messages to the framework.</summary>
    /// <value>The default value is 45 seconds.</value>
    public TimeSpan NodeInfoIntervalMin { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>Gets or sets the longest wait between two node-info messages to the framework.</summary>
    /// <value>The default value is 75 seconds.</value>
    public TimeSpan NodeInfoIntervalMax { get; set; } = TimeSpan.FromSeconds(75);

    /// <summary>Gets or sets the bearer token for executor authentication (<c>MESOS_EXECUTOR_AUTHENTICATION_TOKEN</c>).</summary>
    /// <value>The default value is <see langword="null"/> (no <c>Authorization</c> header).</value>
    public string? AuthenticationToken { get; set; }

    /// <summary>Gets or sets the clock for back-off, recovery, grace periods, node-info intervals and wall times.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    [Required(ErrorMessage = "{0} is required")]
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets a value indicating whether start-up diagnostics (agent <c>/state</c>, cgroup memory limits,
    /// resource limits) are collected and logged at debug level.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool StartupDiagnostics { get; set; } = true;

    /// <summary>Gets or sets the reader that fetches a task payload's <c>userScript</c> from its job store
    /// (<see cref="JobResourceReaders.FromLocator"/> opens the file job store the resource names).</summary>
    /// <value>The default value is <see langword="null"/>: a task whose payload has a <c>userScript</c> then ends
    /// TASK_FAILED before its command starts.</value>
    public JobResourceReader? ResourceReader { get; set; }

    /// <summary>Gets or sets the bound on deploying one task's <c>userScript</c>.</summary>
    /// <value>The default value is 10 minutes.</value>
    public TimeSpan ResourceDownloadTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Checks what the attributes cannot: the endpoint's form, the time spans' ranges and the node-info interval's order.</summary>
    /// <param name="validationContext">The context (unused).</param>
    /// <returns>One result per problem; none when the options are valid.</returns>
    /// <remarks>The generated <c>MesosExecutorOptionsValidator</c> runs it after the attributes' checks.</remarks>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (!MesosExecutorEnvironment.TryParseEndpoint(AgentEndpoint, out _))
        {
            yield return new($"{nameof(AgentEndpoint)} must be host:port (was '{AgentEndpoint}')");
        }

        foreach (var (name, value) in new (string, TimeSpan?)[]
        {
            (nameof(RecoveryTimeout), RecoveryTimeout),
            (nameof(SubscriptionBackoffMax), SubscriptionBackoffMax),
            (nameof(ShutdownGracePeriod), ShutdownGracePeriod),
            (nameof(CallTimeout), CallTimeout),
            (nameof(ResourceDownloadTimeout), ResourceDownloadTimeout),
            (nameof(NodeInfoIntervalMin), NodeInfoIntervalMin),
            (nameof(EventStreamIdleTimeout), EventStreamIdleTimeout),
        })
        {
            // Task.Delay and CancelAfter take at most ~49.7 days; a null idle timeout means no bound.
            if (value is { } span && (span <= TimeSpan.Zero || span > TimeSpan.FromDays(49)))
            {
                yield return new($"{name} must be positive and at most 49 days (was {span})");
            }
        }

        if (NodeInfoIntervalMax < NodeInfoIntervalMin)
        {
            yield return new($"{nameof(NodeInfoIntervalMax)} must not be less than {nameof(NodeInfoIntervalMin)}");
        }
    }
}
