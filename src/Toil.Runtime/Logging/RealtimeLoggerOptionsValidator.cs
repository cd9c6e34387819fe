using Microsoft.Extensions.Options;

namespace Toil.Runtime.Logging;

/// <summary>Validates <see cref="RealtimeLoggerOptions"/> for <c>IOptions</c>.</summary>
public sealed class RealtimeLoggerOptionsValidator : IValidateOptions<RealtimeLoggerOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RealtimeLoggerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string[] problems = [.. options.Problems()];
        return problems.Length == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
