using System.Buffers;
using System.Text;

namespace Toil.Runtime.JobStores;

/// <summary>Validation and shaping of job and file IDs, shared by the built-in stores.</summary>
internal static class JobStoreIds
{
    // A backslash and every char.IsControl character (U+0000-U+001F, U+007F-U+009F): one vectorized search per ID.
    private static readonly SearchValues<char> Forbidden = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(c => (char)c), .. Enumerable.Range(0x7F, 0x21).Select(c => (char)c), '\\']);

    /// <summary>
    /// Throws unless <paramref name="id"/> is a relative, normalized path-like ID: not empty, not rooted, no empty,
    /// <c>.</c> or <c>..</c> segment, no backslash or control character.
    /// </summary>
    /// <param name="id">The ID.</param>
    /// <param name="kind">What the ID names (<c>job</c>, <c>file</c>), for the message.</param>
    /// <returns>The ID.</returns>
    /// <exception cref="InvalidJobStoreIdException">The ID is not acceptable.</exception>
    public static string ValidateRelative(string? id, string kind)
    {
        if (string.IsNullOrEmpty(id))
        {
            throw new InvalidJobStoreIdException(id ?? "<null>", $"a {kind} ID cannot be empty");
        }

        if (id[0] == '/' || Path.IsPathRooted(id))
        {
            throw new InvalidJobStoreIdException(id, $"a {kind} ID cannot be an absolute path");
        }

        if (id.AsSpan().ContainsAny(Forbidden))
        {
            throw new InvalidJobStoreIdException(id, $"a {kind} ID cannot contain backslashes or control characters");
        }

        foreach (Range range in id.AsSpan().Split('/'))
        {
            if (id.AsSpan(range) is "" or "." or "..")
            {
                throw new InvalidJobStoreIdException(id, $"a {kind} ID cannot contain empty, '.' or '..' segments");
            }
        }

        return id;
    }

    /// <summary>Toil's job-name slug: runs of <c>[A-Za-z0-9._-]</c> joined with <c>_</c>, at most 240 characters, or <c>UNPRINTABLE</c>.</summary>
    /// <param name="name">The job name.</param>
    /// <returns>The slug.</returns>
    public static string Slug(string? name)
    {
        var sb = new StringBuilder();
        bool gap = false;
        foreach (char c in name ?? string.Empty)
        {
            if (char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')
            {
                if (gap && sb.Length > 0)
                {
                    sb.Append('_');
                }

                sb.Append(c);
                gap = false;
            }
            else
            {
                gap = true;
            }
        }

        string slug = sb.Length > 240 ? sb.ToString(0, 240) : sb.ToString();
        return slug.Trim('.') is { Length: > 0 } ? slug : "UNPRINTABLE";
    }

    /// <summary>Sanitizes a file base name: keeps <c>[A-Za-z0-9._-]</c>, replaces the rest with <c>_</c>; <c>stream</c> when empty.</summary>
    /// <param name="baseName">The proposed name.</param>
    /// <returns>A safe single path component.</returns>
    public static string SafeBaseName(string? baseName)
    {
        if (string.IsNullOrEmpty(baseName))
        {
            return "stream";
        }

        var sb = new StringBuilder(baseName.Length);
        foreach (char c in baseName)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_');
        }

        string s = sb.Length > 200 ? sb.ToString(0, 200) : sb.ToString();
        return s is "." or ".." ? "stream" : s;
    }
}
