using CsCheck;
using Toil.Runtime.Jobs;
using Toil.Runtime.Serialization;

namespace Toil.Runtime.Fuzz.Targets;

/// <summary>The workflow configuration (<c>shared/config.json</c>): success or <see cref="JobRecordFormatException"/>.</summary>
public sealed class WorkflowConfigTarget : FuzzTarget<byte[]>
{
    /// <inheritdoc />
    public override string Name => "workflow-config";

    /// <inheritdoc />
    public override string Property => "JobDescriptionSerializer.DeserializeConfig: a configuration or JobRecordFormatException; what it returns serializes";

    /// <inheritdoc />
    public override long CiIterations => 3000;

    /// <inheritdoc />
    protected override Gen<byte[]> Inputs { get; } = JsonMutation.Documents(ValidDocuments.Configs());

    /// <inheritdoc />
    protected override string Print(byte[] input) => Printing.Bytes(input);

    /// <inheritdoc />
    protected override void Check(byte[] input)
    {
        var (ok, config) = Expect.SuccessOr<JobRecordFormatException, WorkflowConfig>(() => JobDescriptionSerializer.DeserializeConfig(input, "file:/fuzz"), "DeserializeConfig");
        if (ok)
        {
            Expect.SuccessOr<NeverThrown, byte[]>(() => JobDescriptionSerializer.SerializeConfig(config!), "SerializeConfig of an accepted configuration");
        }
    }
}
