using Microsoft.Extensions.Options;

namespace Toil.Runtime.Leader.BatchSystems;

/// <summary>
/// Validates <see cref="LocalProcessBatchSystemOptions"/>: its data-annotation attributes and its
/// <see cref="System.ComponentModel.DataAnnotations.IValidatableObject"/> rules, in code generated at build time
/// (trim- and NativeAOT-safe). <c>AddLocalProcessBatchSystem</c> registers it, validated on start; the batch system's constructor runs it too.
/// </summary>
[OptionsValidator]
internal sealed partial class LocalProcessBatchSystemOptionsValidator : IValidateOptions<LocalProcessBatchSystemOptions>
{
}
