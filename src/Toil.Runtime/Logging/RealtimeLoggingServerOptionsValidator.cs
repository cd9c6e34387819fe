using Microsoft.Extensions.Options;

namespace Toil.Runtime.Logging;

/// <summary>
/// Validates <see cref="RealtimeLoggingServerOptions"/>: its data-annotation attributes and its
/// <see cref="System.ComponentModel.DataAnnotations.IValidatableObject"/> rules, in code generated at build time
/// (trim- and NativeAOT-safe). The one rule set: code given the options outside a host calls it too.
/// </summary>
[OptionsValidator]
internal sealed partial class RealtimeLoggingServerOptionsValidator : IValidateOptions<RealtimeLoggingServerOptions>
{
}
