using Microsoft.Extensions.Options;

namespace Toil.Runtime.Executors.Contained;

/// <summary>Validates <see cref="ContainedExecutorOptions"/>.</summary>
public sealed class ContainedExecutorOptionsValidator : IValidateOptions<ContainedExecutorOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ContainedExecutorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.TerminationGracePeriod <= TimeSpan.Zero || options.TerminationGracePeriod > TimeSpan.FromDays(1))
        {
            failures.Add($"{nameof(ContainedExecutorOptions.TerminationGracePeriod)} must be positive and at most one day; it is {options.TerminationGracePeriod}.");
        }

        if (options.TimeProvider is null)
        {
            failures.Add($"{nameof(ContainedExecutorOptions.TimeProvider)} must be set.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
