using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Toil.Runtime.Logging;

/// <summary>
/// What a worker process does with real-time logging, as the leader asked through <c>TOIL_RT_LOGGING_LEVEL</c> and
/// <c>TOIL_RT_LOGGING_ADDRESS</c>: no level → nothing is sent and only critical records of the <c>toil-rt</c> logger
/// pass; a level without an address → that level, nothing sent; both → records at or above the level are sent to
/// the address. Immutable: read once, later changes to the environment have no effect on it.
/// </summary>
public sealed class RealtimeLoggingRequest
{
    /// <summary>The prefix of every real-time logging variable.</summary>
    public const string VariablePrefix = "TOIL_RT_LOGGING_";

    /// <summary>The variable holding the leader's <c>host:port</c>.</summary>
    public const string AddressVariable = "TOIL_RT_LOGGING_ADDRESS";

    /// <summary>The variable holding the level name the worker adopts (Toil's names, any case).</summary>
    public const string LevelVariable = "TOIL_RT_LOGGING_LEVEL";

    private RealtimeLoggingRequest(string? level, LogLevel minimumLevel, string? host, int port)
    {
        Level = level;
        MinimumLevel = minimumLevel;
        Host = host;
        Port = port;
    }

    /// <summary>Gets the request of a process that was given no level: nothing is sent, only critical records pass.</summary>
    public static RealtimeLoggingRequest Disabled { get; } = new(null, LogLevel.Critical, null, 0);

    /// <summary>Gets the level name as given, or <see langword="null"/> if none was given.</summary>
    public string? Level { get; }

    /// <summary>Gets the minimum level of the <c>toil-rt</c> logger (<see cref="LogLevel.Critical"/> when no level was given).</summary>
    public LogLevel MinimumLevel { get; }

    /// <summary>Gets the host records are sent to, or <see langword="null"/> if nothing is sent.</summary>
    public string? Host { get; }

    /// <summary>Gets the UDP port records are sent to (0 if nothing is sent).</summary>
    public int Port { get; }

    /// <summary>Gets a value indicating whether records are sent (a level and an address were both given).</summary>
    public bool SendsRecords => Host is not null;

    /// <summary>Creates the request from a level name and an address, with Toil's rules.</summary>
    /// <param name="level">The level name (any case), or <see langword="null"/> if none was given.</param>
    /// <param name="address">The <c>host:port</c> to send to, or <see langword="null"/>; ignored when <paramref name="level"/> is <see langword="null"/>.</param>
    /// <returns>The request.</returns>
    /// <exception cref="UnknownLogLevelException"><paramref name="level"/> is not one of Toil's level names.</exception>
    /// <exception cref="FormatException"><paramref name="address"/> is not <c>host:port</c> with exactly one colon and a port from 1 to 65535.</exception>
    public static RealtimeLoggingRequest Create(string? level, string? address)
    {
        if (level is null)
        {
            return Disabled;
        }

        LogLevel minimum = ToilLogLevel.ParseLogLevel(level);
        if (address is null)
        {
            return new RealtimeLoggingRequest(level, minimum, null, 0);
        }

        (string host, int port) = ParseAddress(address);
        return new RealtimeLoggingRequest(level, minimum, host, port);
    }

    /// <summary>Creates the request from the current process environment (read now, once).</summary>
    /// <returns>The request.</returns>
    /// <exception cref="UnknownLogLevelException">The level variable holds an unknown name.</exception>
    /// <exception cref="FormatException">The address variable is malformed.</exception>
    public static RealtimeLoggingRequest FromEnvironment() =>
        Create(Environment.GetEnvironmentVariable(LevelVariable), Environment.GetEnvironmentVariable(AddressVariable));

    /// <summary>Creates the request from a set of environment variables (for example a job's environment).</summary>
    /// <param name="variables">The variables; keys are compared ordinally.</param>
    /// <returns>The request.</returns>
    /// <exception cref="UnknownLogLevelException">The level variable holds an unknown name.</exception>
    /// <exception cref="FormatException">The address variable is malformed.</exception>
    public static RealtimeLoggingRequest FromVariables(IEnumerable<KeyValuePair<string, string>> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        string? level = null;
        string? address = null;
        foreach (var (key, value) in variables)
        {
            if (string.Equals(key, LevelVariable, StringComparison.Ordinal))
            {
                level = value;
            }
            else if (string.Equals(key, AddressVariable, StringComparison.Ordinal))
            {
                address = value;
            }
        }

        return Create(level, address);
    }

    internal static (string Host, int Port) ParseAddress(string address)
    {
        int colon = address.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon != address.LastIndexOf(':') ||
            !int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) ||
            port is < 1 or > 65535 || address.AsSpan(0, colon).ContainsAny(" \t\r\n"))
        {
            throw new FormatException(
                $"{AddressVariable} must be 'host:port' (an IPv4 address or host name, exactly one ':', a port from 1 to 65535), was '{address}'");
        }

        return (address[..colon], port);
    }

    /// <inheritdoc />
    public override string ToString() =>
        Level is null ? "real-time logging: no level (critical only, nothing sent)"
        : Host is null ? $"real-time logging: level {Level}, nothing sent"
        : $"real-time logging: level {Level}, sent to {Host}:{Port.ToString(CultureInfo.InvariantCulture)}";
}
