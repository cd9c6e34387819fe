using Microsoft.Extensions.Options;

namespace Toil.Runtime.Logging;

/// <summary>
/// Reads <c>TOIL_RT_LOGGING_LEVEL</c> and <c>TOIL_RT_LOGGING_ADDRESS</c> into <see cref="RealtimeLoggingFromEnvironment"/>
/// when the value is first needed. A malformed variable throws then (<see cref="UnknownLogLevelException"/> or
/// <see cref="FormatException"/>): at the host's start, where the options are validated on start.
/// </summary>
internal sealed class RealtimeLoggingEnvironmentSetup : IConfigureOptions<RealtimeLoggingFromEnvironment>
{
    public void Configure(RealtimeLoggingFromEnvironment options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Request = Environment.GetEnvironmentVariable(RealtimeLoggingRequest.LevelVariable) is null
            ? null
            : RealtimeLoggingRequest.FromEnvironment();
    }
}
