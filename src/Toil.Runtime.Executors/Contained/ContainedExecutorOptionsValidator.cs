using Microsoft.Extensions.Options;

namespace Toil.Runtime.Executors.Contained;

/// <summary>
/// Validates <see cref="ContainedExecutorOptions"/>: its data-annotation attributes and its
/// <see cref="System.ComponentModel.DataAnnotations.IValidatableObject"/> rules, in code generated at build time
/// (trim- and NativeAOT-safe). <c>ContainedExecutor.RunAsync</c> runs it on the options it is given.
/// </summary>
[OptionsValidator]
internal sealed partial class ContainedExecutorOptionsValidator : IValidateOptions<ContainedExecutorOptions>
{
}
