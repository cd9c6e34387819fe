using Microsoft.Extensions.Options;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Leader.Workflows;

/// <summary>Checks <see cref="LeaderOptions"/> beyond their ranges: the locator's form and the retry settings.</summary>
internal sealed class LeaderOptionsValidator : IValidateOptions<LeaderOptions>
{
    public ValidateOptionsResult Validate(string? name, LeaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<string> errors = [];
        if (options.JobStore is not null && !FileJobStore.TryParseLocator(options.JobStore, out _))
        {
            errors.Add($"LeaderOptions.JobStore '{options.JobStore}' is not a file job store locator (file:/path); leave it unset for an in-memory store.");
        }

        if (options.Restart && options.JobStore is null)
        {
            errors.Add("LeaderOptions.Restart needs LeaderOptions.JobStore: an in-memory store does not outlive its process.");
        }

        if (options.Config is null)
        {
            errors.Add("LeaderOptions.Config must not be null.");
        }
        else if (options.Config.RetryCount < 0 || options.Config.RetryBackoffSeconds < 0 || options.Config.RetryBackoffFactor < 1)
        {
            errors.Add("LeaderOptions.Config: RetryCount and RetryBackoffSeconds must be >= 0 and RetryBackoffFactor >= 1.");
        }

        if (options.JobStoreTimeout < TimeSpan.Zero || options.LeaderLockTimeout < TimeSpan.Zero || options.StatsPollInterval <= TimeSpan.Zero)
        {
            errors.Add("LeaderOptions: JobStoreTimeout and LeaderLockTimeout must be >= 0 and StatsPollInterval > 0.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
