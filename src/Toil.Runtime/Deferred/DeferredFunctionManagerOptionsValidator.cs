using Microsoft.Extensions.Options;

namespace Toil.Runtime.Deferred;

/// <summary>Validates <see cref="DeferredFunctionManagerOptions"/> for <c>IOptions</c> (register with <c>ValidateOnStart</c>).</summary>
public sealed class DeferredFunctionManagerOptionsValidator : IValidateOptions<DeferredFunctionManagerOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DeferredFunctionManagerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string[] problems = [.. options.Problems()];
        return problems.Length == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
