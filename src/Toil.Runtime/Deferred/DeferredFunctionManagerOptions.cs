using System.ComponentModel.DataAnnotations;

namespace Toil.Runtime.Deferred;

/// <summary>Options of a <see cref="DeferredFunctionManager"/>.</summary>
public sealed class DeferredFunctionManagerOptions : IValidatableObject
{
    /// <summary>
    /// Gets or sets the node-local coordination directory shared by the workers of one workflow on a node.
    /// State lives in its <c>deferred</c> subdirectory. It must support <c>flock</c> (a local disk or tmpfs).
    /// </summary>
    /// <value>The default value is <see langword="null"/>; it is required.</value>
    [Required(ErrorMessage = "{0} is required")]
    public string? CoordinationDirectory { get; set; }

    /// <summary>Gets or sets how long one deferred function may run before it is cancelled and counted as failed.</summary>
    /// <value>The default value is 5 minutes. It must be positive and at most one day. The wait is bounded even
    /// if the function ignores its cancellation token (it is then abandoned, still running).</value>
    public TimeSpan FunctionTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets the clock used for <see cref="FunctionTimeout"/>.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    [Required(ErrorMessage = "{0} is required")]
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Checks what the attributes cannot: a blank directory and the time span's range.</summary>
    /// <param name="validationContext">The context (unused).</param>
    /// <returns>One result per problem; none when the options are valid.</returns>
    /// <remarks>The generated <c>DeferredFunctionManagerOptionsValidator</c> runs it after the attributes' checks.</remarks>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (CoordinationDirectory is not null && string.IsNullOrWhiteSpace(CoordinationDirectory))
        {
            yield return new($"{nameof(CoordinationDirectory)} is required");
        }

        if (FunctionTimeout <= TimeSpan.Zero || FunctionTimeout > TimeSpan.FromDays(1))
        {
            yield return new($"{nameof(FunctionTimeout)} must be positive and at most one day (was {FunctionTimeout})");
        }
    }

    /// <summary>Throws when the options are invalid, by the same rules as <see cref="DeferredFunctionManagerOptionsValidator"/> (for code that is given the options outside a host).</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names each.</exception>
    internal void Validate()
    {
        var validation = new DeferredFunctionManagerOptionsValidator().Validate(Microsoft.Extensions.Options.Options.DefaultName, this);
        if (validation.Failed)
        {
            throw new ArgumentException("invalid deferred-function options: " + validation.FailureMessage, "options");
        }
    }
}
