using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Toil.Runtime.Executors.Mesos;

/// <summary>Reads the environment a Mesos agent gives an executor into <see cref="MesosExecutorOptions"/>.</summary>
public static class MesosExecutorEnvironment
{
    /// <summary>The endpoint used when neither <c>MESOS_AGENT_ENDPOINT</c> nor <c>MESOS_SLAVE_ENDPOINT</c> is set (as Toil).</summary>
    public const string FallbackAgentEndpoint = "127.0.0.1:5051";

    /// <summary>Reads <c>MESOS_FRAMEWORK_ID</c>, <c>MESOS_EXECUTOR_ID</c>, <c>MESOS_AGENT_ENDPOINT</c> (falling back to
    /// <c>MESOS_SLAVE_ENDPOINT</c> and then <see cref="FallbackAgentEndpoint"/> with a warning, as Toil),
    /// <c>MESOS_CHECKPOINT</c> (<c>1</c> or <c>0</c>), <c>MESOS_RECOVERY_TIMEOUT</c>, <c>MESOS_SUBSCRIPTION_BACKOFF_MAX</c>,
    /// <c>MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD</c> (Mesos duration strings such as <c>5secs</c> or <c>15mins</c>) and
    /// <c>MESOS_EXECUTOR_AUTHENTICATION_TOKEN</c>. Unset variables keep the option's default.</summary>
    /// <param name="getVariable">Returns a variable's value, or <see langword="null"/> when it is unset.</param>
    /// <param name="logger">Receives the fallback warning; <see langword="null"/> for none.</param>
    /// <returns>The options (not yet validated: a missing ID is reported by <see cref="MesosExecutorOptionsValidator"/>).</returns>
    /// <exception cref="FormatException">A duration or <c>MESOS_CHECKPOINT</c> has a value Mesos never sets.</exception>
    public static MesosExecutorOptions Read(Func<string, string?> getVariable, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        var options = new MesosExecutorOptions
        {
            FrameworkId = NonEmpty(getVariable("MESOS_FRAMEWORK_ID")),
            ExecutorId = NonEmpty(getVariable("MESOS_EXECUTOR_ID")),
            AuthenticationToken = NonEmpty(getVariable("MESOS_EXECUTOR_AUTHENTICATION_TOKEN")),
        };

        string? endpoint = NonEmpty(getVariable("MESOS_AGENT_ENDPOINT"));
        if (endpoint is null)
        {
            endpoint = NonEmpty(getVariable("MESOS_SLAVE_ENDPOINT")) ?? FallbackAgentEndpoint;
            if (logger is not null)
            {
                MesosLog.FakedAgentEndpoint(logger, endpoint);
            }
        }

        options.AgentEndpoint = endpoint;
        options.Checkpoint = NonEmpty(getVariable("MESOS_CHECKPOINT")) switch
        {
            null or "0" => false,
            "1" => true,
            var other => throw new FormatException($"MESOS_CHECKPOINT must be \"1\" or \"0\" (was '{other}')"),
        };

        Duration(getVariable, "MESOS_RECOVERY_TIMEOUT", v => options.RecoveryTimeout = v);
        Duration(getVariable, "MESOS_SUBSCRIPTION_BACKOFF_MAX", v => options.SubscriptionBackoffMax = v);
        Duration(getVariable, "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD", v => options.ShutdownGracePeriod = v);
        return options;
    }

    internal static bool TryParseEndpoint(string? endpoint, out Uri? baseUri)
    {
        baseUri = null;
        if (string.IsNullOrWhiteSpace(endpoint) || endpoint.Contains('/', StringComparison.Ordinal))
        {
            return false;
        }

        int colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port)
            || port is < 1 or > 65535)
        {
            return false;
        }

        return Uri.TryCreate("http://" + endpoint + "/", UriKind.Absolute, out baseUri);
    }

    private static void Duration(Func<string, string?> getVariable, string name, Action<TimeSpan> set)
    {
        if (NonEmpty(getVariable(name)) is { } text)
        {
            set(MesosDuration.Parse(text, name));
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
