using Microsoft.Extensions.Options;

namespace Toil.Runtime.Deferred;

/// <summary>
/// Validates <see cref="DeferredFunctionManagerOptions"/>: its data-annotation attributes and its
/// <see cref="System.ComponentModel.DataAnnotations.IValidatableObject"/> rules, in code generated at build time
/// (trim- and NativeAOT-safe). The one rule set: code given the options outside a host calls it too.
/// </summary>
[OptionsValidator]
internal sealed partial class DeferredFunctionManagerOptionsValidator : IValidateOptions<DeferredFunctionManagerOptions>
{
}
