using Microsoft.Extensions.Options;

namespace Toil.Runtime.Leader.BatchSystems;

/// <summary>Checks <see cref="InProcessBatchSystemOptions"/>: positive cores and memory, non-negative disk and accelerators.</summary>
internal sealed class InProcessBatchSystemOptionsValidator : IValidateOptions<InProcessBatchSystemOptions>
{
    public ValidateOptionsResult Validate(string? name, InProcessBatchSystemOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<string> errors = [];
        if (!(options.MaxCores > 0) || double.IsInfinity(options.MaxCores))
        {
            errors.Add($"InProcessBatchSystemOptions.MaxCores must be a positive number (was {options.MaxCores}).");
        }

        if (options.MaxMemory is <= 0 || options.MaxDisk is < 0 || options.MaxAccelerators < 0)
        {
            errors.Add("InProcessBatchSystemOptions: MaxMemory must be positive, MaxDisk and MaxAccelerators must not be negative.");
        }

        if (options.KillGracePeriod < TimeSpan.Zero)
        {
            errors.Add("InProcessBatchSystemOptions.KillGracePeriod must not be negative.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
