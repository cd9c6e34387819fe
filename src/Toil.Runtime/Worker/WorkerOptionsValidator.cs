using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Toil.Runtime.Worker;

/// <summary>Validates <see cref="WorkerOptions"/> for <c>IOptions</c> (registered with <c>ValidateOnStart</c> by <c>AddToilRuntime</c>).</summary>
public sealed class WorkerOptionsValidator : IValidateOptions<WorkerOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, WorkerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (options.MaxLogFileSize == long.MinValue)
        {
            problems.Add($"{nameof(WorkerOptions.MaxLogFileSize)} must be greater than {long.MinValue}");
        }

        if (double.IsNaN(options.BadWorker) || options.BadWorker < 0 || options.BadWorker > 1)
        {
            problems.Add($"{nameof(WorkerOptions.BadWorker)} must be between 0 and 1 (was {options.BadWorker})");
        }

        if (options.BadWorkerFailInterval <= TimeSpan.Zero || options.BadWorkerFailInterval > TimeSpan.FromDays(1))
        {
            problems.Add($"{nameof(WorkerOptions.BadWorkerFailInterval)} must be positive and at most one day (was {options.BadWorkerFailInterval})");
        }

        if (options.MaxJobsRunListed < 0)
        {
            problems.Add($"{nameof(WorkerOptions.MaxJobsRunListed)} must not be negative (was {options.MaxJobsRunListed})");
        }

        if (options.ChainedRecordDeleteBatch is < 1 or > 1024)
        {
            problems.Add($"{nameof(WorkerOptions.ChainedRecordDeleteBatch)} must be between 1 and 1024 (was {options.ChainedRecordDeleteBatch})");
        }

        if (options.CommitWaitTimeout <= TimeSpan.Zero)
        {
            problems.Add($"{nameof(WorkerOptions.CommitWaitTimeout)} must be positive (was {options.CommitWaitTimeout})");
        }

        if (!Enum.IsDefined(options.CleanWorkDir))
        {
            problems.Add($"{nameof(WorkerOptions.CleanWorkDir)} is not a known policy ({(int)options.CleanWorkDir})");
        }

        if (!Enum.IsDefined(options.LogLevel) || options.LogLevel == LogLevel.None)
        {
            problems.Add($"{nameof(WorkerOptions.LogLevel)} must be Trace through Critical (was {options.LogLevel})");
        }

        if (options.WorkDir is not null && (string.IsNullOrWhiteSpace(options.WorkDir) || !Directory.Exists(options.WorkDir)))
        {
            problems.Add($"{nameof(WorkerOptions.WorkDir)} '{options.WorkDir}' does not exist");
        }

        if (options.CoordinationDir is not null && string.IsNullOrWhiteSpace(options.CoordinationDir))
        {
            problems.Add($"{nameof(WorkerOptions.CoordinationDir)} must not be empty when set");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
