using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.Sockets;

namespace Toil.Runtime.Logging;

/// <summary>Options of a <see cref="RealtimeLoggingServer"/> (the leader side of real-time logging).</summary>
public sealed class RealtimeLoggingServerOptions : IValidatableObject
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
    [Range(0, 65535)]
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

    /// <summary>
    /// Gets or sets how many records per second one sender (one <c>ip:port</c>) may make the leader log on average;
    /// further datagrams are dropped before they are decoded, counted in <see cref="RealtimeLoggingServer.DroppedCount"/>,
    /// and summarized in one warning per <see cref="DropSummaryInterval"/>. 0 removes the limit.
    /// </summary>
    /// <value>The default value is 200 (a worker logging at INFO sends a handful; a flood from one worker or a
    /// stranger cannot drown the leader's log). It must be from 0 to 1000000.</value>
    [Range(0d, 1_000_000d)]
    public double SenderRecordsPerSecond { get; set; } = 200;

    /// <summary>Gets or sets how many records one sender may send at once before <see cref="SenderRecordsPerSecond"/> applies (the size of its token bucket).</summary>
    /// <value>The default value is 2000. It must be from 1 to 1000000.</value>
    [Range(1, 1_000_000)]
    public int SenderRecordBurst { get; set; } = 2000;

    /// <summary>
    /// Gets or sets the most characters of each text a record carries (the rendered message, the exception text, the
    /// stack); a longer one is cut and ends with <c> [cut to N characters]</c>. Logger, thread and level names are cut
    /// at 256 characters.
    /// </summary>
    /// <value>The default value is 16384: twice the 8192-byte datagram Toil's senders (and ours) send, so no record a
    /// Toil worker can send is cut, while a short format such as <c>%999999999s</c> cannot make the leader build a
    /// gigabyte of text. It must be from 256 to 1048576.</value>
    [Range(256, 1_048_576)]
    public int MaxTextLength { get; set; } = 16384;

    /// <summary>Gets or sets how often the server logs one warning summarizing the records it dropped (none when nothing was dropped).</summary>
    /// <value>The default value is 10 seconds. It must be from 1 second to 1 hour.</value>
    public TimeSpan DropSummaryInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the clock of the rate limit and of the drop summaries.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    [Required(ErrorMessage = "{0} is required")]
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal bool Enabled => !string.IsNullOrEmpty(Level);

    /// <summary>Checks what the attributes cannot: the level's name, the addresses and the time spans' ranges.</summary>
    /// <param name="validationContext">The context (unused).</param>
    /// <returns>One result per problem; none when the options are valid.</returns>
    /// <remarks>The generated <c>RealtimeLoggingServerOptionsValidator</c> runs it after the attributes' checks.</remarks>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (Enabled && !ToilLogLevel.TryParse(Level, out _))
        {
            yield return new($"{nameof(Level)}: " + new UnknownLogLevelException(Level).Message);
        }

        if (!IPAddress.TryParse(BindAddress ?? "", out var bind) || bind.AddressFamily != AddressFamily.InterNetwork)
        {
            yield return new($"{nameof(BindAddress)} must be an IPv4 address (was '{BindAddress}'): Toil's address variable cannot carry IPv6");
        }

        if (AdvertisedHost is not null && (AdvertisedHost.Length == 0 || AdvertisedHost.AsSpan().ContainsAny(": \t\r\n")))
        {
            yield return new($"{nameof(AdvertisedHost)} must be an IPv4 address or host name without ':' or spaces (was '{AdvertisedHost}')");
        }

        if (StopTimeout <= TimeSpan.Zero || StopTimeout > TimeSpan.FromMinutes(5))
        {
            yield return new($"{nameof(StopTimeout)} must be positive and at most 5 minutes (was {StopTimeout})");
        }

        if (DropSummaryInterval < TimeSpan.FromSeconds(1) || DropSummaryInterval > TimeSpan.FromHours(1))
        {
            yield return new($"{nameof(DropSummaryInterval)} must be from 1 second to 1 hour (was {DropSummaryInterval})");
        }
    }

    /// <summary>Throws when the options are invalid, by the same rules as <see cref="RealtimeLoggingServerOptionsValidator"/> (for code that is given the options outside a host).</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names each.</exception>
    internal void Validate()
    {
        var validation = new RealtimeLoggingServerOptionsValidator().Validate(Microsoft.Extensions.Options.Options.DefaultName, this);
        if (validation.Failed)
        {
            throw new ArgumentException("invalid real-time logging server options: " + validation.FailureMessage, "options");
        }
    }
}
