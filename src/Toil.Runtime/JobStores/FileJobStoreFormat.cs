using System.Text.Json;
using System.Text.Json.Serialization;

namespace Toil.Runtime.JobStores;

/// <summary>
/// The store's <c>format.json</c>: which on-disk layout the directory holds. Version 2 (the job's directory is its
/// lock, a job's cleanup files in its directory, no per-file directories; <c>docs/decisions.md#file-job-store-format-2</c>);
/// version 3, the same layout whose job records may hold small bodies inline (<c>docs/decisions.md#inline-bodies</c>).
/// Version 2 stores are read and written as they are (their bodies stay in files); version 1 stores are refused with
/// <see cref="FileJobStoreVersionException"/>, never migrated.
/// </summary>
internal sealed class FileJobStoreFormat
{
    public const string FileName = "format.json";
    public const string LayoutName = "toil-runtime-file-job-store";
    public const int CurrentSchemaVersion = 3;

    /// <summary>The first version whose job records may hold a body inline (docs/decisions.md#inline-bodies).</summary>
    public const int InlineBodiesSchemaVersion = 3;

    /// <summary>The oldest version this library opens; a store of it keeps its bodies in files.</summary>
    public const int OldestOpenedSchemaVersion = 2;

    /// <summary>The first version; those from it below <see cref="OldestOpenedSchemaVersion"/> are recognized (and refused).</summary>
    public const int FirstSchemaVersion = 1;

    /// <summary>Jobs are locked by <c>flock</c> on their directories.</summary>
    public const string DirectoryLock = "directory";

    /// <summary>Jobs are locked by a lock file <c>job.lock</c> in their directories: a filesystem where a directory cannot be flock'ed (NFS).</summary>
    public const string FileLock = "file";

    [JsonPropertyName("schemaVersion")]
    public int SchemaVersion { get; set; }

    [JsonPropertyName("layout")]
    public string? Layout { get; set; }

    /// <summary>How jobs are locked in this store, chosen when it was created (<see cref="DirectoryLock"/> or <see cref="FileLock"/>).</summary>
    [JsonPropertyName("jobLock")]
    public string? JobLock { get; set; }

    public static byte[] Serialize(bool lockFiles) =>
        JsonSerializer.SerializeToUtf8Bytes(
            new FileJobStoreFormat { SchemaVersion = CurrentSchemaVersion, Layout = LayoutName, JobLock = lockFiles ? FileLock : DirectoryLock },
            FileJobStoreJsonContext.Default.FileJobStoreFormat);

    /// <returns>
    /// Whether the store locks jobs with lock files (<see cref="FileLock"/>) rather than their directories, and its
    /// version (from <see cref="OldestOpenedSchemaVersion"/> to <see cref="CurrentSchemaVersion"/>).
    /// </returns>
    /// <exception cref="FileJobStoreVersionException">A store of a format version this library no longer opens.</exception>
    /// <exception cref="CorruptJobRecordException">Not a format document of a layout version this library knows.</exception>
    public static (bool LockFiles, int SchemaVersion) Check(ReadOnlySpan<byte> utf8Json, string locator)
    {
        FileJobStoreFormat? doc;
        try
        {
            doc = JsonSerializer.Deserialize(utf8Json, FileJobStoreJsonContext.Default.FileJobStoreFormat);
        }
        catch (JsonException ex)
        {
            throw new CorruptJobRecordException(FileName, $"the format marker of {locator} is not valid JSON ({ex.Message})", ex);
        }

        if (doc?.Layout == LayoutName && doc.SchemaVersion is >= FirstSchemaVersion and < OldestOpenedSchemaVersion)
        {
            throw new FileJobStoreVersionException(locator, doc.SchemaVersion, CurrentSchemaVersion);
        }

        if (doc?.Layout != LayoutName || doc.SchemaVersion is not (>= OldestOpenedSchemaVersion and <= CurrentSchemaVersion))
        {
            throw new CorruptJobRecordException(
                FileName,
                $"{locator} holds layout '{doc?.Layout}' schemaVersion {doc?.SchemaVersion}; this library reads '{LayoutName}' schemaVersion {OldestOpenedSchemaVersion} to {CurrentSchemaVersion}");
        }

        return doc.JobLock switch
        {
            FileLock => (true, doc.SchemaVersion),
            DirectoryLock => (false, doc.SchemaVersion),
            _ => throw new CorruptJobRecordException(FileName, $"{locator} names the job lock '{doc.JobLock}'; this library knows '{DirectoryLock}' and '{FileLock}'"),
        };
    }
}

/// <summary>Source-generated JSON for <see cref="FileJobStoreFormat"/>.</summary>
[JsonSerializable(typeof(FileJobStoreFormat))]
internal sealed partial class FileJobStoreJsonContext : JsonSerializerContext
{
}
