using Microsoft.Extensions.Options;

namespace Toil.Runtime.Slurm;

/// <summary>
/// Validates <see cref="SlurmBatchSystemOptions"/>: its data-annotation attributes and its
/// <see cref="System.ComponentModel.DataAnnotations.IValidatableObject"/> rules, in code generated at build time
/// (trim- and NativeAOT-safe). <c>AddSlurmBatchSystem</c> registers it, validated on start; the batch system's constructor runs it too.
/// </summary>
[OptionsValidator]
internal sealed partial class SlurmBatchSystemOptionsValidator : IValidateOptions<SlurmBatchSystemOptions>
{
}
