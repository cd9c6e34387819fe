using Microsoft.Extensions.Options;

namespace Toil.Runtime.JobStores;

/// <summary>Validates <see cref="FileJobStoreOptions"/> for <c>IOptions</c> (register with <c>ValidateOnStart</c>).</summary>
public sealed class FileJobStoreOptionsValidator : IValidateOptions<FileJobStoreOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, FileJobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string[] problems = [.. options.Problems()];
        return problems.Length == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
