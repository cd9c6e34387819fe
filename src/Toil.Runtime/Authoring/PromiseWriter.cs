namespace Toil.Runtime.Authoring;

/// <summary>
/// Answers <see cref="Promise{T}.FileId"/> while one new job's input is serialized: first in a collecting pass that
/// records which unresolved promises the input holds, then with the file IDs registered for this consumer.
/// </summary>
internal sealed class PromiseWriter
{
    private const string Pending = "pending";
    private readonly Dictionary<Promise, string>? _fileIds;
    private readonly HashSet<Promise>? _seen;

    /// <summary>Creates a collecting writer.</summary>
    public PromiseWriter()
    {
        Referenced = [];
        _seen = new HashSet<Promise>(ReferenceEqualityComparer.Instance);
    }

    private readonly string? _unregisteredMessage;

    /// <summary>Creates a writer that gives the registered file IDs.</summary>
    /// <param name="fileIds">The file ID registered for each promise the serialized value may hold.</param>
    /// <param name="unregisteredMessage">The error for an unresolved promise without a file ID.</param>
    public PromiseWriter(Dictionary<Promise, string> fileIds, string? unregisteredMessage = null)
    {
        _fileIds = fileIds;
        _unregisteredMessage = unregisteredMessage;
    }

    /// <summary>The unresolved promises seen by a collecting writer, in order.</summary>
    public List<Promise>? Referenced { get; }

    public string? FileIdFor(Promise promise)
    {
        if (promise.IsResolved)
        {
            return null;
        }

        if (Referenced is not null)
        {
            if (_seen!.Add(promise))
            {
                Referenced.Add(promise);
            }

            return Pending;
        }

        return _fileIds!.TryGetValue(promise, out string? id)
            ? id
            : throw new InvalidOperationException(_unregisteredMessage ?? "A promise appeared in a job input between the two serialization passes; inputs must not change while the job graph is saved.");
    }
}
