using System.Text.Json;

namespace Toil.Runtime.Authoring;

/// <summary>
/// The JSON file a job body points at: <c>{"schemaVersion":1,"type":"...","input":{...},"promises":["file ID",...]}</c>.
/// <c>promises</c> lists the files this job fulfils with its return value (registered by the jobs that consume them).
/// </summary>
internal sealed class JobBodyDocument
{
    public const int SchemaVersion = 1;

    private JobBodyDocument(JsonElement input, List<string> promises)
    {
        Input = input;
        Promises = promises;
    }

    public JsonElement Input { get; }

    public List<string> Promises { get; }

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

    /// <summary>Parses a body.</summary>
    /// <exception cref="InvalidJobInputException">The document is malformed.</exception>
    public static JobBodyDocument Parse(ReadOnlyMemory<byte> bytes, string jobStoreId, string typeName)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
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

            List<string> promises = [];
            if (root.TryGetProperty("promises", out var list))
            {
                if (list.ValueKind != JsonValueKind.Array)
                {
                    throw Bad("the body document's promises are not an array");
                }

                foreach (var item in list.EnumerateArray())
                {
                    promises.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw Bad("a promise file ID is not a string"));
                }
            }

            return new JobBodyDocument(input.Clone(), promises);
        }
        catch (JsonException e)
        {
            throw new InvalidJobInputException(jobStoreId, typeName, "the body document is not valid JSON", e);
        }

        InvalidJobInputException Bad(string reason) => new(jobStoreId, typeName, reason);
    }
}
