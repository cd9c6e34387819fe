using Microsoft.Extensions.Options;

namespace Toil.Runtime.Executors.Mesos;

/// <summary>
/// Validates <see cref="MesosExecutorOptions"/>: its data-annotation attributes and its
/// <see cref="System.ComponentModel.DataAnnotations.IValidatableObject"/> rules, in code generated at build time
/// (trim- and NativeAOT-safe). <c>MesosExecutor</c> runs it on the options it is given.
/// </summary>
[OptionsValidator]
internal sealed partial class MesosExecutorOptionsValidator : IValidateOptions<MesosExecutorOptions>
{
}
