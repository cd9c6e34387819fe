using System.Text.Json;
using System.Text.Json.Serialization;

namespace Toil.Runtime.JobStores;

/// <summary>
/// The store's <c>format.json</c>: which on-disk layout the directory holds. Version 2 (lock on the job's directory, a
/// job's cleanup files in its directory, no per-file directories; <c>docs/decisions.md#file-job-store-format-2</c>);
/// version 1 stores are refused with <see cref="FileJobStoreVersionException"/>, never migrated.
/// </summary>
internal sealed class FileJobStoreFormat
{
    public const string FileName = "format.json";
    public const string LayoutName = "toil-runtime-file-job-store";
    public const int CurrentSchemaVersion = 2;

    /// <summary>The versions before <see cref="CurrentSchemaVersion"/> that this library recognizes (and refuses).</summary>
    public const int FirstSchemaVersion = 1;

    [JsonPropertyName("schemaVersion")]
    public int SchemaVersion { get; set; }

    [JsonPropertyName("layout")]
    public string? Layout { get; set; }

    public static byte[] Serialize() =>
        JsonSerializer.SerializeToUtf8Bytes(new FileJobStoreFormat { SchemaVersion = CurrentSchemaVersion, Layout = LayoutName }, FileJobStoreJsonContext.Default.FileJobStoreFormat);

    /// <exception cref="FileJobStoreVersionException">A store of an earlier format version.</exception>
    /// <exception cref="CorruptJobRecordException">Not a format document of a layout version this library knows.</exception>
    public static void Check(ReadOnlySpan<byte> utf8Json, string locator)
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

        if (doc?.Layout == LayoutName && doc.SchemaVersion is >= FirstSchemaVersion and < CurrentSchemaVersion)
        {
            throw new FileJobStoreVersionException(locator, doc.SchemaVersion, CurrentSchemaVersion);
        }

        if (doc?.Layout != LayoutName || doc.SchemaVersion != CurrentSchemaVersion)
        {
            throw new CorruptJobRecordException(FileName, $"{locator} holds layout '{doc?.Layout}' schemaVersion {doc?.SchemaVersion}; this library reads '{LayoutName}' schemaVersion {CurrentSchemaVersion}");
        }
    }
}

/// <summary>Source-generated JSON for <see cref="FileJobStoreFormat"/>.</summary>
[JsonSerializable(typeof(FileJobStoreFormat))]
internal sealed partial class FileJobStoreJsonContext : JsonSerializerContext
{
}
