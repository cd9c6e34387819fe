using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;

namespace Toil.Runtime.Fuzz;

/// <summary>
/// Generates malformed variants of VALID documents: fields dropped, duplicated or added, values swapped for other types,
/// nulls injected in lists, hostile strings and numbers, deep nesting, then byte-level damage (truncation, flips,
/// insertions); plus some plain random bytes. Every choice is a small integer, so CsCheck shrinks a failure towards the
/// fewest, earliest edits.
/// </summary>
public static class JsonMutation
{
    private const int NodeEditKinds = 8;
    private const int ByteEditKinds = 4;

    /// <summary>An edit: its kind, where it applies (an index modulo the candidates), and what it puts there.</summary>
    public readonly record struct Edit(int Kind, int Where, int What);

    private static readonly Gen<Edit> NodeEdit = Gen.Select(Gen.Int[0, NodeEditKinds - 1], Gen.Int[0, 10_000], Gen.Int[0, 10_000], (k, w, x) => new Edit(k, w, x));
    private static readonly Gen<Edit> ByteEdit = Gen.Select(Gen.Int[0, ByteEditKinds - 1], Gen.Int[0, 1_000_000], Gen.Int[0, 255], (k, w, x) => new Edit(k, w, x));

    /// <summary>Documents derived from <paramref name="valid"/> (each a valid JSON document of the parser's format).</summary>
    public static Gen<byte[]> Documents(params string[] valid)
    {
        ArgumentOutOfRangeException.ThrowIfZero(valid.Length);
        Gen<int> pick = Gen.Int[0, valid.Length - 1];
        return Gen.Frequency(
            (1, pick.Select(i => Encoding.UTF8.GetBytes(valid[i]))),
            (12, Gen.Select(pick, NodeEdit.Array[1, 4], ByteEdit.Array[0, 0], (i, edits, bytes) => Apply(valid[i], edits, bytes))),
            (3, Gen.Select(pick, NodeEdit.Array[0, 3], ByteEdit.Array[1, 3], (i, edits, bytes) => Apply(valid[i], edits, bytes))),
            (1, Gen.Byte.Array[0, 300]));
    }

    /// <summary>Applies the node edits to the parsed document, serializes it, then applies the byte edits.</summary>
    public static byte[] Apply(string valid, Edit[] nodeEdits, Edit[] byteEdits)
    {
        JsonNode root = JsonNode.Parse(valid)!;
        // Values a JsonNode cannot write back (a lone surrogate escape) or would normalize go in as marker strings, then as raw text.
        var raw = new Dictionary<string, string>(StringComparer.Ordinal);
        var duplicates = new List<(string Key, string Value)>();
        foreach (Edit edit in nodeEdits)
        {
            root = ApplyNode(root, edit, raw, duplicates);
        }

        string text = root.ToJsonString();
        foreach (var (key, value) in duplicates)
        {
            // A JsonObject cannot hold a key twice; the text can.
            int brace = text.IndexOf('{', StringComparison.Ordinal);
            if (brace >= 0)
            {
                text = text.Insert(brace + 1, JsonSerializer.Serialize(key) + ":" + value + (text[brace + 1] == '}' ? string.Empty : ","));
            }
        }

        foreach (var (marker, value) in raw)
        {
            text = text.Replace(JsonSerializer.Serialize(marker), value, StringComparison.Ordinal);
        }

        byte[] bytes = Encoding.UTF8.GetBytes(text);
        foreach (Edit edit in byteEdits)
        {
            bytes = ApplyBytes(bytes, edit);
        }

        return bytes;
    }

    private static JsonNode ApplyNode(JsonNode root, Edit edit, Dictionary<string, string> raw, List<(string, string)> duplicates)
    {
        var all = new List<JsonNode?>();
        Collect(root, all);
        switch (edit.Kind)
        {
            case 0: // drop a property
            {
                var props = all.OfType<JsonObject>().SelectMany(o => o.Select(p => (o, p.Key))).ToList();
                if (props.Count > 0)
                {
                    var (o, key) = props[edit.Where % props.Count];
                    o.Remove(key);
                }

                return root;
            }

            case 1: // replace a value by one of another type / out of range
                return Replace(root, all, edit.Where, Raw(raw, Hostile.JsonValues[edit.What % Hostile.JsonValues.Length]));
            case 2: // inject null into a list
            {
                var arrays = all.OfType<JsonArray>().ToList();
                if (arrays.Count > 0)
                {
                    var a = arrays[edit.Where % arrays.Count];
                    a.Insert(edit.What % (a.Count + 1), null);
                }

                return root;
            }

            case 3: // duplicate a list element, or a property (textually)
            {
                var arrays = all.OfType<JsonArray>().Where(a => a.Count > 0).ToList();
                if (arrays.Count > 0 && edit.What % 2 == 0)
                {
                    var a = arrays[edit.Where % arrays.Count];
                    a.Add(a[edit.What % a.Count]?.DeepClone());
                }
                else if (root is JsonObject o && o.Count > 0)
                {
                    var p = o.ElementAt(edit.Where % o.Count);
                    duplicates.Add((p.Key, Hostile.JsonValues[edit.What % Hostile.JsonValues.Length]));
                }

                return root;
            }

            case 4: // an unknown property
            {
                var objects = all.OfType<JsonObject>().ToList();
                if (objects.Count > 0)
                {
                    objects[edit.Where % objects.Count]["unknown" + edit.What] = Raw(raw, Hostile.JsonValues[edit.What % Hostile.JsonValues.Length]);
                }

                return root;
            }

            case 5: // deep nesting in place of a value
            {
                int depth = 1 + (edit.What * 37 % 5000);
                return Replace(root, all, edit.Where, Raw(raw, new string('[', depth) + "1" + new string(']', depth)));
            }

            case 6: // a hostile string in place of a value (strings first)
            {
                var strings = all.Where(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.String).ToList();
                string s = Hostile.Strings[edit.What % Hostile.Strings.Length];
                return Replace(root, strings.Count > 0 ? strings : all, edit.Where, JsonValue.Create(s));
            }

            default: // swap the type of a value: number <-> string, object <-> array
            {
                int index = all.Count == 0 ? 0 : edit.Where % all.Count;
                JsonNode? node = all.Count == 0 ? null : all[index];
                JsonNode? swapped = node switch
                {
                    JsonValue v when v.GetValueKind() == JsonValueKind.String => JsonNode.Parse(v.GetValue<string>().Length > 0 && v.GetValue<string>().All(char.IsAsciiDigit) ? v.GetValue<string>() : "12"),
                    JsonValue v when v.GetValueKind() == JsonValueKind.Number => JsonValue.Create(v.ToJsonString()),
                    JsonValue v => JsonValue.Create(v.ToJsonString()),
                    JsonObject o => new JsonArray([.. o.Select(p => p.Value?.DeepClone())]),
                    JsonArray a => new JsonObject(a.Select((e, i) => KeyValuePair.Create("k" + i, e?.DeepClone()))),
                    _ => JsonValue.Create("null"),
                };
                return Replace(root, all, edit.Where, swapped);
            }
        }
    }

    private static JsonNode Raw(Dictionary<string, string> raw, string json)
    {
        string marker = "\u0001raw-" + raw.Count;
        raw[marker] = json;
        return JsonValue.Create(marker);
    }

    private static JsonNode Replace(JsonNode root, List<JsonNode?> candidates, int where, JsonNode? value)
    {
        // Index 0 is the root itself: replacing it makes the document a bare value (valid JSON of the wrong shape).
        if (candidates.Count == 0)
        {
            return root;
        }

        JsonNode? target = candidates[where % candidates.Count];
        if (target is null || ReferenceEquals(target, root))
        {
            return value ?? JsonValue.Create(0);
        }

        switch (target.Parent)
        {
            case JsonObject o:
                o[target.GetPropertyName()] = value;
                break;
            case JsonArray a:
                a[target.GetElementIndex()] = value;
                break;
        }

        return root;
    }

    private static void Collect(JsonNode? node, List<JsonNode?> all)
    {
        all.Add(node);
        switch (node)
        {
            case JsonObject o:
                foreach (var p in o)
                {
                    if (p.Value is not null)
                    {
                        Collect(p.Value, all);
                    }
                }

                break;
            case JsonArray a:
                foreach (var e in a)
                {
                    if (e is not null)
                    {
                        Collect(e, all);
                    }
                }

                break;
        }
    }

    private static byte[] ApplyBytes(byte[] bytes, Edit edit)
    {
        if (bytes.Length == 0)
        {
            return [(byte)edit.What];
        }

        int at = edit.Where % bytes.Length;
        return edit.Kind switch
        {
            0 => bytes[..at],                                         // truncate
            1 => [.. bytes[..at], (byte)(bytes[at] ^ (edit.What | 1)), .. bytes[(at + 1)..]], // flip bits
            2 => [.. bytes[..at], (byte)edit.What, .. bytes[at..]],   // insert a byte
            _ => [.. bytes[..at], .. bytes[Math.Min(bytes.Length, at + 1 + (edit.What % 16))..]], // delete a run
        };
    }
}
