using Microsoft.Extensions.Logging;

namespace Toil.Runtime.Authoring;

internal static partial class AuthoringLog
{
    [LoggerMessage(201, LogLevel.Debug, "Running job type '{TypeName}' for {Job}")]
    public static partial void Running(ILogger logger, string typeName, string job);

    [LoggerMessage(202, LogLevel.Debug, "Saved {Count} new job(s) created by {Job}")]
    public static partial void Saved(ILogger logger, int count, string job);

    [LoggerMessage(203, LogLevel.Debug, "Fulfilled {Count} of {Total} promise(s) of {Job}")]
    public static partial void Fulfilled(ILogger logger, int count, int total, string job);

    [LoggerMessage(204, LogLevel.Warning, "Could not measure the disk use of {Job}")]
    public static partial void DiskCheckFailed(ILogger logger, Exception exception, string job);

    [LoggerMessage(205, LogLevel.Debug, "Starting child process {FileName} for {Job}")]
    public static partial void StartingProcess(ILogger logger, string fileName, string job);
}
