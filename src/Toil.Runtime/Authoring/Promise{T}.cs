using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Toil.Runtime.Authoring;

/// <summary>
/// The return value of a job added in this run (from <c>AddChild&lt;TJob, TInput, TOutput&gt;</c> and friends), to put in
/// the input of a job that runs after it. When that job runs, the promise in its input is resolved and
/// <see cref="Value"/> holds what the producing job returned.
/// </summary>
/// <typeparam name="T">The value type. The JSON context of every input type that holds a <c>Promise&lt;T&gt;</c> must
/// be able to serialise <typeparamref name="T"/>; a source-generated context includes it automatically.</typeparam>
/// <remarks>
/// In JSON a promise is <c>{"promise": "&lt;file ID&gt;"}</c> until resolved and <c>{"value": ...}</c> after; the
/// <see cref="FileId"/> and <see cref="SerializedValue"/> properties exist for the serializer and are not meant to be
/// used by job code. A promise may only be consumed by a job that runs after its producer (a successor, directly or
/// through follow-on ordering); anything else fails when the job graph is saved.
/// </remarks>
public sealed class Promise<T> : Promise
{
    private readonly string? _fileId;
    private T? _value;
    private bool _resolved;

    /// <summary>Creates a resolved promise holding the default value (used by the serializer).</summary>
    public Promise() => _resolved = true;

    internal Promise(JobHandle producer)
    {
        Job = producer;
        _resolved = false;
    }

    /// <summary>Gets or initializes the promise's file ID in the job store (serialization only).</summary>
    [JsonPropertyName("promise")]
    public string? FileId
    {
        get => PromiseScope.Writer is { } writer ? writer.FileIdFor(this) : _fileId;
        init
        {
            _fileId = value;
            if (value is not null)
            {
                _resolved = false;
                PromiseScope.AddRead(this);
            }
        }
    }

    /// <summary>Gets or initializes the resolved value (serialization only); the default while unresolved.</summary>
    [JsonPropertyName("value")]
    public T? SerializedValue
    {
        get => _resolved ? _value : default;
        init => _value = value;
    }

    /// <summary>Gets the value the producing job returned.</summary>
    /// <exception cref="InvalidOperationException">The promise is not resolved yet: it is read before the producing job ran.</exception>
    [JsonIgnore]
    public T Value => _resolved
        ? _value!
        : throw new InvalidOperationException("This promise is not resolved yet: its value exists only in the input of a job that runs after the job that returns it.");

    /// <inheritdoc />
    [JsonIgnore]
    public override bool IsResolved => _resolved;

    /// <inheritdoc />
    internal override string? StoredFileId => _fileId;

    /// <summary>Converts a value into a resolved promise.</summary>
    /// <param name="value">The value.</param>
    public static implicit operator Promise<T>(T value) => FromValue(value);

    /// <summary>Creates a resolved promise holding <paramref name="value"/>, for an input that accepts either.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The promise.</returns>
    public static Promise<T> FromValue(T value) => new() { SerializedValue = value };

    /// <inheritdoc />
    public override string ToString() => _resolved ? $"Promise({_value})" : $"Promise(unresolved, {Job?.ToString() ?? _fileId})";

    /// <inheritdoc />
    internal override void Resolve(ReadOnlySpan<byte> json, JsonSerializerOptions options)
    {
        var typeInfo = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
        _value = JsonSerializer.Deserialize(json, typeInfo);
        _resolved = true;
    }
}
