using Toil.Runtime.Jobs;
using Toil.Runtime.Serialization;

namespace Toil.Runtime.JobStores;

/// <summary>
/// The stores' way into <see cref="JobDescriptionSerializer"/>: the same calls, with the serializer's
/// <see cref="JobRecordFormatException"/> reported as the <see cref="CorruptJobRecordException"/> that
/// <see cref="IJobStore"/> callers catch.
/// </summary>
internal static class JobRecords
{
    /// <summary>Deserializes a stored job record.</summary>
    /// <param name="utf8Json">The record's bytes.</param>
    /// <param name="jobId">The ID it was stored under.</param>
    /// <returns>The description (no configuration attached).</returns>
    /// <exception cref="CorruptJobRecordException">The record is not a valid job record of a known schema version.</exception>
    public static JobDescription Deserialize(ReadOnlySpan<byte> utf8Json, string jobId)
    {
        try
        {
            return JobDescriptionSerializer.Deserialize(utf8Json, jobId);
        }
        catch (JobRecordFormatException ex)
        {
            throw new CorruptJobRecordException(ex);
        }
    }

    /// <summary>Deserializes a stored workflow configuration.</summary>
    /// <param name="utf8Json">The document's bytes.</param>
    /// <param name="locator">The store's locator, for the message.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="CorruptJobRecordException">The document is not a valid configuration of a known schema version.</exception>
    public static WorkflowConfig DeserializeConfig(ReadOnlySpan<byte> utf8Json, string locator)
    {
        try
        {
            return JobDescriptionSerializer.DeserializeConfig(utf8Json, locator);
        }
        catch (JobRecordFormatException ex)
        {
            throw new CorruptJobRecordException(ex);
        }
    }
}
