using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Toil.Runtime.Logging;

/// <summary>
/// What the leader asked of real-time logging through this process's <c>TOIL_RT_LOGGING_*</c> variables, as an options
/// value: <see cref="RealtimeLoggingEnvironmentSetup"/> reads the variables when the container first needs the value
/// (a host's start), not when services are registered, so a host's later configuration and a test's environment count.
/// </summary>
internal sealed class RealtimeLoggingFromEnvironment
{
    /// <summary>Gets or sets the settings the variables give, or <see langword="null"/> when <c>TOIL_RT_LOGGING_LEVEL</c> is unset.</summary>
    public RealtimeLoggingSettings? Settings { get; set; }

    /// <summary>
    /// The settings that apply in a container: those registered explicitly (<c>AddToilRealtimeLogging(settings)</c>),
    /// else those of the environment, else <see langword="null"/> (nothing asked: no provider sends, no filter rule).
    /// </summary>
    /// <param name="services">The container.</param>
    /// <returns>The settings, or <see langword="null"/>.</returns>
    public static RealtimeLoggingSettings? Resolve(IServiceProvider services) =>
        services.GetService<RealtimeLoggingSettings>() ??
        services.GetService<IOptions<RealtimeLoggingFromEnvironment>>()?.Value.Settings;
}
