using CsCheck;
using Toil.Runtime.Logging;

namespace Toil.Runtime.Fuzz.Targets;

/// <summary>Real-time log datagrams (the leader's server decodes whatever arrives on its UDP port).</summary>
public sealed class DatagramTarget : FuzzTarget<byte[]>
{
    /// <inheritdoc />
    public override string Name => "datagram";

    /// <inheritdoc />
    public override string Property => "RealtimeDatagramDecoder.Decode: a record or FormatException (the server logs it and goes on)";

    /// <inheritdoc />
    public override long CiIterations => 10000;

    /// <inheritdoc />
    protected override Gen<byte[]> Inputs { get; } = JsonMutation.Documents(ValidDocuments.Datagrams());

    /// <inheritdoc />
    protected override string Print(byte[] input) => Printing.Bytes(input);

    /// <inheritdoc />
    protected override void Check(byte[] input)
    {
        var (ok, record) = Expect.SuccessOr<FormatException, RealtimeLogRecord>(() => RealtimeDatagramDecoder.Decode(input, "127.0.0.1:9"), "Decode");
        if (ok)
        {
            Expect.That(record!.Name is not null && record.Message is not null && record.LevelName is not null, "Decode returned a record with a null name, message or level name");
            Expect.SuccessOr<NeverThrown, string>(record.ToString, "RealtimeLogRecord.ToString");
        }
    }
}
