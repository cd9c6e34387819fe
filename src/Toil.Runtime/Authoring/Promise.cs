using System.Text.Json;
using System.Text.Json.Serialization;

namespace Toil.Runtime.Authoring;

/// <summary>
/// The non-generic part of <see cref="Promise{T}"/>: a value that a job will return, which a job running after it
/// receives resolved (Toil's <c>Promise</c>).
/// </summary>
public abstract class Promise
{
    private protected Promise()
    {
    }

    /// <summary>Gets a value indicating whether the value is available (see <see cref="Promise{T}.Value"/>).</summary>
    [JsonIgnore]
    public abstract bool IsResolved { get; }

    /// <summary>
    /// Gets the job that fulfils the promise, while the job graph that created it is being built; <see langword="null"/>
    /// for a promise read from a job's input or made from a value.
    /// </summary>
    [JsonIgnore]
    public JobHandle? Job { get; private protected init; }

    /// <summary>The job-store file the promise was read from, once deserialized; <see langword="null"/> otherwise.</summary>
    internal abstract string? StoredFileId { get; }

    /// <summary>Sets the value from the JSON the producing job wrote.</summary>
    internal abstract void Resolve(ReadOnlySpan<byte> json, JsonSerializerOptions options);
}
