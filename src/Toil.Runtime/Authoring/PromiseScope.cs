using System.Text.Json;

namespace Toil.Runtime.Authoring;

/// <summary>
/// The ambient state the serializer sees while a job input is read or written. Promise properties consult it because
/// source-generated serialization cannot pass state to them; serialization is synchronous, so it is per thread.
/// </summary>
internal static class PromiseScope
{
    [ThreadStatic]
    private static List<Promise>? t_reader;

    [ThreadStatic]
    private static PromiseWriter? t_writer;

    /// <summary>Collects the unresolved promises created while deserializing, or <see langword="null"/>.</summary>
    public static List<Promise>? Reader => t_reader;

    /// <summary>Gives promise file IDs while serializing a new job's input, or <see langword="null"/>.</summary>
    public static PromiseWriter? Writer => t_writer;

    /// <summary>Deserializes with <paramref name="read"/> and returns the promises it created that need resolving.</summary>
    public static T Read<T>(Func<T> read, out List<Promise> promises)
    {
        var previous = t_reader;
        promises = [];
        t_reader = promises;
        try
        {
            return read();
        }
        finally
        {
            t_reader = previous;
        }
    }

    /// <summary>Serializes with <paramref name="write"/> into a new buffer while <paramref name="writer"/> answers promise IDs.</summary>
    public static byte[] Write(PromiseWriter writer, Action<Utf8JsonWriter> write)
    {
        var previous = t_writer;
        t_writer = writer;
        try
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                write(json);
            }

            return buffer.ToArray();
        }
        finally
        {
            t_writer = previous;
        }
    }
}
