using Microsoft.Extensions.Options;

namespace Toil.Runtime.Leader.BatchSystems;

/// <summary>
/// Validates <see cref="InProcessBatchSystemOptions"/> through its
/// <see cref="System.ComponentModel.DataAnnotations.IValidatableObject"/> rules, in code generated at build time
/// (trim- and NativeAOT-safe). <c>AddToilLeader</c> registers it, validated on start.
/// </summary>
[OptionsValidator]
internal sealed partial class InProcessBatchSystemOptionsValidator : IValidateOptions<InProcessBatchSystemOptions>
{
}
