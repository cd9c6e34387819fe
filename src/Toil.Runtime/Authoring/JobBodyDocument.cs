using System.Text.Json;

namespace Toil.Runtime.Authoring;

/// <summary>
/// The JSON file a job body points at: <c>{"schemaVersion":1,"type":"...","input":{...},"promises":["file ID",...]}</c>.
/// <c>promises</c> lists the files this job fulfils with its return value (registered by the jobs that consume them).
/// </summary>
internal sealed class JobBodyDocument : IDisposable
{
    public const int SchemaVersion = 1;

    private readonly JsonDocument _document;

    private JobBodyDocument(JsonDocument document, JsonElement input, IReadOnlyList<string> promises)
    {
        _document = document;
        Input = input;
        Promises = promises;
    }

    /// <summary>The input, valid until the document is disposed (it reads the parsed bytes in place; no copy is made).</summary>
    public JsonElement Input { get; }

    public IReadOnlyList<string> Promises { get; }

    /// <summary>Returns the parsed document's pooled buffers; <see cref="Input"/> may no longer be read.</summary>
    public void Dispose() => _document.Dispose();

    /// <summary>Serializes a body; <paramref name="writeInput"/> runs with <paramref name="promises"/> answering promise IDs.</summary>
    public static byte[] Write(PromiseWriter promises, string typeName, Action<Utf8JsonWriter> writeInput, IReadOnlyList<string> promiseFiles) =>
        PromiseScope.Write(promises, json =>
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", SchemaVersion);
            json.WriteString("type", typeName);
            json.WritePropertyName("input");
            writeInput(json);
            json.WriteStartArray("promises");
            foreach (string id in promiseFiles)
            {
                json.WriteStringValue(id);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });

    /// <summary>Parses a body. The document reads <paramref name="bytes"/> in place: they must not change until it is disposed.</summary>
    /// <exception cref="InvalidJobInputException">The document is malformed.</exception>
    public static JobBodyDocument Parse(ReadOnlyMemory<byte> bytes, string jobStoreId, string typeName)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw new InvalidJobInputException(jobStoreId, typeName, "the body document is not valid JSON", e);
        }

        try
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Bad("the body document is not a JSON object");
            }

            if (!root.TryGetProperty("schemaVersion", out var version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out int v) || v != SchemaVersion)
            {
                throw Bad($"the body document's schemaVersion is missing or not {SchemaVersion}");
            }

            if (!root.TryGetProperty("input", out var input))
            {
                throw Bad("the body document has no input");
            }

            List<string>? promises = null;
            if (root.TryGetProperty("promises", out var list))
            {
                if (list.ValueKind != JsonValueKind.Array)
                {
                    throw Bad("the body document's promises are not an array");
                }

                foreach (var item in list.EnumerateArray())
                {
                    (promises ??= []).Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw Bad("a promise file ID is not a string"));
                }
            }

            // The input is read from the parsed document itself, which lives as long as this one (no clone).
            return new JobBodyDocument(document, input, promises ?? (IReadOnlyList<string>)[]);
        }
        catch
        {
            document.Dispose();
            throw;
        }

        InvalidJobInputException Bad(string reason) => new(jobStoreId, typeName, reason);
    }
}
