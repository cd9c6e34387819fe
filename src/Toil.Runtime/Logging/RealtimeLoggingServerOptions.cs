using System.Net;
using System.Net.Sockets;

namespace Toil.Runtime.Logging;

/// <summary>Options of a <see cref="RealtimeLoggingServer"/> (the leader side of real-time logging).</summary>
public sealed class RealtimeLoggingServerOptions
{
    /// <summary>
    /// Gets or sets the level workers log at (passed to them verbatim in <c>TOIL_RT_LOGGING_LEVEL</c>); one of Toil's
    /// names in any case (<see cref="ToilLogLevel"/>). <see langword="null"/> or empty disables real-time logging: no
    /// server is started and no variables are published.
    /// </summary>
    /// <value>The default value is <c>"INFO"</c> (Toil starts the server at INFO even without <c>--realTimeLogging</c>).</value>
    public string? Level { get; set; } = "INFO";

    /// <summary>
    /// Gets or sets the IPv4 address the server binds. The loopback address suits batch systems whose workers run on
    /// this host; cluster batch systems bind <c>0.0.0.0</c>, and the server then advertises the address of the
    /// interface that routes off this host (or <see cref="AdvertisedHost"/>).
    /// </summary>
    /// <value>The default value is <c>"127.0.0.1"</c>.</value>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>Gets or sets the UDP port to bind; 0 lets the operating system pick a free one.</summary>
    /// <value>The default value is 0. It must be from 0 to 65535.</value>
    public int Port { get; set; }

    /// <summary>
    /// Gets or sets the host workers send to (the host part of <c>TOIL_RT_LOGGING_ADDRESS</c>); <see langword="null"/>
    /// derives it: the bound address, or for <c>0.0.0.0</c> the IPv4 address of the interface that routes off this host.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? AdvertisedHost { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether starting also sets the variables in this process's environment (as
    /// Toil does, so child processes inherit them) and stopping removes every <c>TOIL_RT_LOGGING_*</c> variable from it.
    /// </summary>
    /// <value>The default value is <see langword="false"/>: the variables are only published through
    /// <see cref="RealtimeLoggingServer.EnvironmentVariables"/>.</value>
    public bool SetProcessEnvironment { get; set; }

    /// <summary>Gets or sets how long stopping waits for the listener to end before it throws a <see cref="TimeoutException"/>.</summary>
    /// <value>The default value is 10 seconds. It must be positive and at most 5 minutes.</value>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(10);

    internal bool Enabled => !string.IsNullOrEmpty(Level);

    internal IEnumerable<string> Problems()
    {
        if (Enabled && !ToilLogLevel.TryParse(Level, out _))
        {
            yield return $"{nameof(Level)}: " + new UnknownLogLevelException(Level).Message;
        }

        if (!IPAddress.TryParse(BindAddress ?? "", out var bind) || bind.AddressFamily != AddressFamily.InterNetwork)
        {
            yield return $"{nameof(BindAddress)} must be an IPv4 address (was '{BindAddress}'): Toil's address variable cannot carry IPv6";
        }

        if (Port is < 0 or > 65535)
        {
            yield return $"{nameof(Port)} must be from 0 to 65535 (was {Port})";
        }

        if (AdvertisedHost is not null && (AdvertisedHost.Length == 0 || AdvertisedHost.AsSpan().ContainsAny(": \t\r\n")))
        {
            yield return $"{nameof(AdvertisedHost)} must be an IPv4 address or host name without ':' or spaces (was '{AdvertisedHost}')";
        }

        if (StopTimeout <= TimeSpan.Zero || StopTimeout > TimeSpan.FromMinutes(5))
        {
            yield return $"{nameof(StopTimeout)} must be positive and at most 5 minutes (was {StopTimeout})";
        }
    }

    internal void Validate()
    {
        string[] problems = [.. Problems()];
        if (problems.Length > 0)
        {
            throw new ArgumentException("invalid real-time logging server options: " + string.Join("; ", problems), "options");
        }
    }
}
