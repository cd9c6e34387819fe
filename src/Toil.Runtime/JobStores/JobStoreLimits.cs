using System.Text;

namespace Toil.Runtime.JobStores;

/// <summary>
/// The length limits on shared-file names, file IDs and job IDs. Both built-in stores enforce them the same way, so a
/// test on <see cref="InMemoryJobStore"/> accepts exactly what <see cref="FileJobStore"/> can write; a third-party store
/// can apply them with the same methods. See <c>docs/job-store-format.md</c>, "Limits".
/// </summary>
public static class JobStoreLimits
{
    /// <summary>
    /// The longest shared-file name, in characters (names are ASCII, so also bytes): 200. The file store writes a shared
    /// file through <c>&lt;name&gt;.&lt;32 hex&gt;.tmp</c>, 37 bytes more, and a file name may have 255 bytes.
    /// </summary>
    public const int MaxSharedFileNameLength = 200;

    /// <summary>
    /// The longest file ID, in characters: 1024. The IDs the built-in stores issue have at most 544 (a cleanup file of a
    /// job with the longest ID and the longest base name).
    /// </summary>
    public const int MaxFileIdLength = 1024;

    /// <summary>The longest segment (between <c>/</c>) of a file ID, in UTF-8 bytes: 255, a file name's limit on Linux and macOS.</summary>
    public const int MaxFileIdSegmentBytes = 255;

    /// <summary>
    /// The longest job ID the built-in stores issue, in characters: 287 (<c>kind-</c>, a slug of at most 240 characters,
    /// <c>/instance-</c> and 32 hex digits). A longer ID names no job: it is answered as an unknown one.
    /// </summary>
    public const int MaxJobIdLength = 287;

    /// <summary>
    /// Throws unless <paramref name="name"/> is a valid shared-file name (<see cref="SharedFileNames.Validate"/>) of at
    /// most <see cref="MaxSharedFileNameLength"/> characters.
    /// </summary>
    /// <param name="name">The name.</param>
    /// <returns>The name.</returns>
    /// <exception cref="InvalidJobStoreIdException">The name is not valid or too long.</exception>
    public static string ValidateSharedFileName(string name)
    {
        if (name is { Length: > MaxSharedFileNameLength })
        {
            throw new InvalidJobStoreIdException(name, $"a shared file name has at most {MaxSharedFileNameLength} characters (this one has {name.Length})");
        }

        return SharedFileNames.Validate(name);
    }

    /// <summary>
    /// Throws unless <paramref name="fileId"/> is a well-formed relative ID (<see cref="JobStoreIds.ValidateRelative"/>) of
    /// at most <see cref="MaxFileIdLength"/> characters whose segments have at most <see cref="MaxFileIdSegmentBytes"/>
    /// UTF-8 bytes. No store issues a longer ID, so one is a caller's mistake, not a file that might exist.
    /// </summary>
    /// <param name="fileId">The file ID.</param>
    /// <returns>The file ID.</returns>
    /// <exception cref="InvalidJobStoreIdException">The ID is malformed or too long.</exception>
    public static string ValidateFileId(string? fileId)
    {
        if (fileId is { Length: > MaxFileIdLength })
        {
            throw new InvalidJobStoreIdException(fileId, $"a file ID has at most {MaxFileIdLength} characters (this one has {fileId.Length})");
        }

        string id = JobStoreIds.ValidateRelative(fileId, "file");
        foreach (Range range in id.AsSpan().Split('/'))
        {
            // A char is at most 3 UTF-8 bytes (a surrogate pair is 4 for 2), so only long segments need counting.
            var segment = id.AsSpan(range);
            if (segment.Length * 3 > MaxFileIdSegmentBytes && Encoding.UTF8.GetByteCount(segment) > MaxFileIdSegmentBytes)
            {
                throw new InvalidJobStoreIdException(id, $"a segment of a file ID has at most {MaxFileIdSegmentBytes} UTF-8 bytes");
            }
        }

        return id;
    }
}
