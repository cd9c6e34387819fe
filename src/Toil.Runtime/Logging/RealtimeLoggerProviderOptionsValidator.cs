using Microsoft.Extensions.Options;

namespace Toil.Runtime.Logging;

/// <summary>
/// Validates <see cref="RealtimeLoggerProviderOptions"/>: its data-annotation attributes, in code generated at build time
/// (trim- and NativeAOT-safe). The one rule set: code given the options outside a host calls it too.
/// </summary>
[OptionsValidator]
internal sealed partial class RealtimeLoggerProviderOptionsValidator : IValidateOptions<RealtimeLoggerProviderOptions>
{
}
