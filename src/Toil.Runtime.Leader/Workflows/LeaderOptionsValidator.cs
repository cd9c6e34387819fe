using Microsoft.Extensions.Options;

namespace Toil.Runtime.Leader.Workflows;

/// <summary>
/// Validates <see cref="LeaderOptions"/>: its data-annotation attributes and its
/// <see cref="System.ComponentModel.DataAnnotations.IValidatableObject"/> rules, in code generated at build time
/// (trim- and NativeAOT-safe). <c>AddToilLeader</c> registers it, validated on start.
/// </summary>
[OptionsValidator]
internal sealed partial class LeaderOptionsValidator : IValidateOptions<LeaderOptions>
{
}
