using Microsoft.Extensions.Options;

namespace Toil.Runtime.Logging;

/// <summary>Validates <see cref="RealtimeLoggingServerOptions"/> for <c>IOptions</c> (register with <c>ValidateOnStart</c>).</summary>
public sealed class RealtimeLoggingServerOptionsValidator : IValidateOptions<RealtimeLoggingServerOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RealtimeLoggingServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string[] problems = [.. options.Problems()];
        return problems.Length == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
