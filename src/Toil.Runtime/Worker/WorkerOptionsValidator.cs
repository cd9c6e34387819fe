using Microsoft.Extensions.Options;

namespace Toil.Runtime.Worker;

/// <summary>
/// Validates <see cref="WorkerOptions"/> (registered with <c>ValidateOnStart</c> by <c>AddToilRuntime</c>): its
/// data-annotation attributes and its <see cref="System.ComponentModel.DataAnnotations.IValidatableObject"/> rules, in
/// code generated at build time (trim- and NativeAOT-safe).
/// </summary>
[OptionsValidator]
internal sealed partial class WorkerOptionsValidator : IValidateOptions<WorkerOptions>
{
}
