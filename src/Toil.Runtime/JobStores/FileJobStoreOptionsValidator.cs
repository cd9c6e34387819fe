using Microsoft.Extensions.Options;

namespace Toil.Runtime.JobStores;

/// <summary>
/// Validates <see cref="FileJobStoreOptions"/>: its data-annotation attributes and its
/// <see cref="System.ComponentModel.DataAnnotations.IValidatableObject"/> rules, in code generated at build time
/// (trim- and NativeAOT-safe). The one rule set: <see cref="FileJobStore"/>'s constructor calls it too.
/// </summary>
[OptionsValidator]
internal sealed partial class FileJobStoreOptionsValidator : IValidateOptions<FileJobStoreOptions>
{
}
