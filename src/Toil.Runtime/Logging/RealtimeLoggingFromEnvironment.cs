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
    /// <summary>Gets or sets the request the variables give, or <see langword="null"/> when <c>TOIL_RT_LOGGING_LEVEL</c> is unset.</summary>
    public RealtimeLoggingRequest? Request { get; set; }

    /// <summary>
    /// The request that applies in a container: the one registered explicitly (<c>AddToilRealtimeLogging(request)</c>),
    /// else the environment's, else <see langword="null"/> (nothing asked: no provider sends, no filter rule).
    /// </summary>
    /// <param name="services">The container.</param>
    /// <returns>The request, or <see langword="null"/>.</returns>
    public static RealtimeLoggingRequest? Resolve(IServiceProvider services) =>
        services.GetService<RealtimeLoggingRequest>() ??
        services.GetService<IOptions<RealtimeLoggingFromEnvironment>>()?.Value.Request;
}
