using CsCheck;
using Toil.Runtime.Executors.Contained;

namespace Toil.Runtime.Fuzz.Targets;

/// <summary>The contained executor's argument: base64 of a JSON payload (mutated), or a damaged/hostile argument.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ContainedPayloadTarget : FuzzTarget<string>
{
    /// <inheritdoc />
    public override string Name => "contained-payload";

    /// <inheritdoc />
    public override string Property => "ContainedExecutorPayload.Decode: a validated payload or ContainedExecutorPayloadException; an accepted payload encodes and decodes again";

    /// <inheritdoc />
    public override long CiIterations => 8000;

    /// <inheritdoc />
    protected override Gen<string> Inputs { get; } = Gen.Frequency(
        (8, JsonMutation.Documents(ValidDocuments.ContainedPayloads()).Select(Convert.ToBase64String)),
        (1, Gen.Select(JsonMutation.Documents(ValidDocuments.ContainedPayloads()), Gen.Int[0, 1000], Gen.Char, (d, at, c) =>
        {
            string b64 = Convert.ToBase64String(d);
            return b64.Length == 0 ? c.ToString() : b64.Insert(at % b64.Length, c.ToString());
        })),
        (1, Hostile.String));

    /// <inheritdoc />
    protected override string Print(string input) => Printing.Text(input);

    /// <inheritdoc />
    protected override void Check(string input)
    {
        var (ok, payload) = Expect.SuccessOr<ContainedExecutorPayloadException, ContainedExecutorPayload>(() => ContainedExecutorPayload.Decode(input), "Decode");
        if (ok)
        {
            string again = Expect.SuccessOr<NeverThrown, string>(payload!.Encode, "Encode of an accepted payload").Result!;
            var back = Expect.SuccessOr<NeverThrown, ContainedExecutorPayload>(() => ContainedExecutorPayload.Decode(again), "Decode of what Encode wrote").Result!;
            Expect.That(back.Command == payload.Command, "the command changed in a round trip");
        }
    }
}
