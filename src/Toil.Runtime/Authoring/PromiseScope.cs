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
    private static bool t_reading;

    [ThreadStatic]
    private static PromiseWriter? t_writer;

    /// <summary>Gives promise file IDs while serializing a new job's input, or <see langword="null"/>.</summary>
    public static PromiseWriter? Writer => t_writer;

    /// <summary>Collects a promise created while deserializing (nothing outside <see cref="Read"/>).</summary>
    public static void AddRead(Promise promise)
    {
        if (t_reading)
        {
            (t_reader ??= []).Add(promise);
        }
    }

    /// <summary>
    /// Deserializes with <paramref name="read"/> (given <paramref name="state"/>, so the caller needs no closure) and
    /// returns the promises it created that need resolving: <see langword="null"/> when there are none (most inputs; no
    /// list is made for them).
    /// </summary>
    public static T Read<TState, T>(TState state, Func<TState, T> read, out List<Promise>? promises)
    {
        var previous = t_reader;
        bool wasReading = t_reading;
        t_reader = null;
        t_reading = true;
        try
        {
            return read(state);
        }
        finally
        {
            promises = t_reader;
            t_reader = previous;
            t_reading = wasReading;
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
