namespace Toil.Runtime.Jobs;

/// <summary>
/// Reference to a job's not-yet-run work (Toil's <c>_body</c>): the registered job type name and its JSON input, held
/// either in a job-store file (<see cref="FileId"/>) or, when it is small and the store keeps it there, inline in the
/// job's record (<see cref="Input"/>; docs/decisions.md#inline-bodies).
/// </summary>
/// <param name="TypeName">The stable name the job type is registered under.</param>
/// <param name="FileId">The job-store file ID of the JSON input; <see langword="null"/> for an inline body.</param>
public sealed record JobBody(string TypeName, string? FileId)
{
    /// <summary>The JSON input of an inline body (<see cref="FileId"/> is then <see langword="null"/>); empty otherwise.</summary>
    /// <remarks>Never changed in place: <see cref="Inline"/> copies what it is given.</remarks>
    public ReadOnlyMemory<byte> Input { get; private init; }

    /// <summary>Whether the input is held in the record (<see cref="Input"/>) rather than in a file.</summary>
    public bool IsInline => FileId is null;

    /// <summary>Creates a body whose JSON input is held inline, in the job's record.</summary>
    /// <param name="typeName">The stable name the job type is registered under.</param>
    /// <param name="input">The JSON input (the body document); copied.</param>
    /// <returns>The body.</returns>
    public static JobBody Inline(string typeName, ReadOnlyMemory<byte> input) => Owning(typeName, input.ToArray());

    /// <summary>An inline body that takes <paramref name="input"/> as it is (the caller gives up the array).</summary>
    internal static JobBody Owning(string typeName, byte[] input)
    {
        ArgumentNullException.ThrowIfNull(typeName);
        ArgumentNullException.ThrowIfNull(input);
        return new JobBody(typeName, (string?)null) { Input = input };
    }

    /// <summary>Whether both bodies have the same type name and the same file, or the same inline bytes.</summary>
    /// <param name="other">The other body.</param>
    /// <returns><see langword="true"/> when they are equal.</returns>
    public bool Equals(JobBody? other) =>
        other is not null
        && string.Equals(TypeName, other.TypeName, StringComparison.Ordinal)
        && string.Equals(FileId, other.FileId, StringComparison.Ordinal)
        && Input.Span.SequenceEqual(other.Input.Span);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(TypeName, FileId, Input.Length);

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("TypeName = ").Append(TypeName);
        builder.Append(IsInline ? $", Input = {Input.Length} bytes inline" : $", FileId = {FileId}");
        return true;
    }
}
