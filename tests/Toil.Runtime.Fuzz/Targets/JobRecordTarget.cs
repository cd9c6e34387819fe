using CsCheck;
using Toil.Runtime.Serialization;

namespace Toil.Runtime.Fuzz.Targets;

/// <summary>Job records through the public serializer: success or <see cref="JobRecordFormatException"/>; what is read writes back and reads again.</summary>
public sealed class JobRecordTarget : FuzzTarget<byte[]>
{
    private const string Id = "kind-fuzz/instance-0123456789abcdef0123456789abcdef";

    /// <inheritdoc />
    public override string Name => "job-record";

    /// <inheritdoc />
    public override string Property => "JobDescriptionSerializer.Deserialize: a description or JobRecordFormatException; a description it returns serializes and reads back";

    /// <inheritdoc />
    public override long CiIterations => 10000;

    /// <inheritdoc />
    protected override Gen<byte[]> Inputs { get; } = JsonMutation.Documents(ValidDocuments.JobRecords(Id));

    /// <inheritdoc />
    protected override string Print(byte[] input) => Printing.Bytes(input);

    /// <inheritdoc />
    protected override void Check(byte[] input)
    {
        var (ok, job) = Expect.SuccessOr<JobRecordFormatException, Jobs.JobDescription>(() => JobDescriptionSerializer.Deserialize(input, Id), "Deserialize");
        if (ok)
        {
            byte[] again = Expect.SuccessOr<NeverThrown, byte[]>(() => JobDescriptionSerializer.Serialize(job!), "Serialize of a record Deserialize accepted").Result!;
            Expect.SuccessOr<NeverThrown, Jobs.JobDescription>(() => JobDescriptionSerializer.Deserialize(again, Id), "Deserialize of what Serialize wrote");
        }
    }
}
