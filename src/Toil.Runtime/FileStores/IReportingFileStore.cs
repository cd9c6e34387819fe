namespace Toil.Runtime.FileStores;

/// <summary>
/// A file store that reports on its job when the body ends: the files a failed job accessed,
/// and the disk it used against its requirement. The body invoker asks for this capability instead of a concrete store type.
/// </summary>
internal interface IReportingFileStore
{
    /// <summary>Logs the files the job accessed (called when the body or its graph save fails).</summary>
    void LogAccessedFiles();

    /// <summary>Measures the disk the job used and tells the leader if it exceeds the job's requirement.</summary>
    /// <returns>The bytes used.</returns>
    long CheckDiskUse();
}
