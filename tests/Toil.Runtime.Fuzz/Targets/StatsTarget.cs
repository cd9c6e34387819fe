using System.Text.Json;
using CsCheck;
using Toil.Runtime.Stats;

namespace Toil.Runtime.Fuzz.Targets;

/// <summary>Stats and leader messages (<see cref="StatsDocument.Parse"/>): success or <see cref="JsonException"/>; a parsed document holds no nulls where its type says none.</summary>
public sealed class StatsTarget : FuzzTarget<byte[]>
{
    /// <inheritdoc />
    public override string Name => "stats";

    /// <inheritdoc />
    public override string Property => "StatsDocument.Parse: a document with no null list or list element, or JsonException; what it returns serializes";

    /// <inheritdoc />
    public override long CiIterations => 5000;

    /// <inheritdoc />
    protected override Gen<byte[]> Inputs { get; } = JsonMutation.Documents(ValidDocuments.Stats());

    /// <inheritdoc />
    protected override string Print(byte[] input) => Printing.Bytes(input);

    /// <inheritdoc />
    protected override void Check(byte[] input)
    {
        var (ok, doc) = Expect.SuccessOr<JsonException, StatsDocument>(() => StatsDocument.Parse(input), "StatsDocument.Parse");
        if (!ok)
        {
            return;
        }

        Expect.That(doc!.Jobs is not null && doc.Jobs.All(j => j is not null), "Parse returned null jobs or a null job");
        Expect.That(doc.Workers is not null, "Parse returned null workers");
        Expect.That(doc.Workers!.LogsToLeader is not null && doc.Workers.LogsToLeader.All(m => m?.Text is not null), "Parse returned a null leader message or text");
        Expect.That(doc.Workers.LoggingUserStreams is not null && doc.Workers.LoggingUserStreams.All(s => s?.Name is not null && s.Text is not null), "Parse returned a null user stream, name or text");
        Expect.That(doc.Logs is null || (doc.Logs.Names is not null && doc.Logs.Messages is not null && doc.Logs.Names.All(n => n is not null) && doc.Logs.Messages.All(m => m is not null)), "Parse returned null log names or messages");
        Expect.SuccessOr<NeverThrown, byte[]>(doc.ToUtf8Json, "ToUtf8Json of a parsed document");
    }
}
