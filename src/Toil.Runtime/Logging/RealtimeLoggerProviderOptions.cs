using System.ComponentModel.DataAnnotations;

namespace Toil.Runtime.Logging;

/// <summary>Options of a <see cref="RealtimeLoggerProvider"/> (the worker side of real-time logging).</summary>
public sealed class RealtimeLoggerProviderOptions
{
    /// <summary>The largest UDP payload over IPv4.</summary>
    internal const int MaxUdpPayload = 65507;

    /// <summary>The smallest accepted <see cref="MaxDatagramSize"/>: room for every fixed field of a record.</summary>
    internal const int MinDatagramSize = 1024;

    /// <summary>
    /// Gets or sets the largest datagram sent, in bytes. A record whose JSON is larger is cut to fit (exception text
    /// first, then the message) and marked as cut; it is never dropped silently.
    /// </summary>
    /// <value>The default value is 8192: Toil's Python leader reads at most 8192 bytes of a datagram, so larger
    /// records would reach it truncated and be rejected as malformed. It must be from 1024 to 65507.</value>
    [Range(MinDatagramSize, MaxUdpPayload)]
    public int MaxDatagramSize { get; set; } = 8192;

    /// <summary>Gets or sets the clock that stamps records (<c>created</c>, <c>relativeCreated</c>).</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    [Required(ErrorMessage = "{0} is required")]
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Throws when the options are invalid, by the same rules as <see cref="RealtimeLoggerProviderOptionsValidator"/> (for code that is given the options outside a host).</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names each.</exception>
    internal void Validate()
    {
        var validation = new RealtimeLoggerProviderOptionsValidator().Validate(Microsoft.Extensions.Options.Options.DefaultName, this);
        if (validation.Failed)
        {
            throw new ArgumentException("invalid real-time logger options: " + validation.FailureMessage, "options");
        }
    }
}
