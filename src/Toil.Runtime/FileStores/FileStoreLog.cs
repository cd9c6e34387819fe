using Microsoft.Extensions.Logging;

namespace Toil.Runtime.FileStores;

internal static partial class FileStoreLog
{
    [LoggerMessage(EventId = 101, Message = "LOG-TO-LEADER: {Text}")]
    public static partial void LogToLeader(ILogger logger, LogLevel level, string text);

    [LoggerMessage(102, LogLevel.Warning, "Failed job accessed files:\n{Files}")]
    public static partial void FailedJobAccessedFiles(ILogger logger, string files);

    [LoggerMessage(103, LogLevel.Debug, "Committing {Job} with {Count} file(s) to delete")]
    public static partial void Committing(ILogger logger, string job, int count);

    [LoggerMessage(105, LogLevel.Information, "Finishing {Count} file deletion(s) journaled by an interrupted commit of {Job}")]
    public static partial void ReplayingJournal(ILogger logger, int count, string job);

    [LoggerMessage(104, LogLevel.Error, "The commit of {Job} failed")]
    public static partial void CommitFailed(ILogger logger, Exception exception, string job);
}
