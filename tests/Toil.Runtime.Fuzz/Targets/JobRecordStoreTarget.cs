using CsCheck;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Fuzz.Targets;

/// <summary>Job records read back through <see cref="IJobStore.LoadJobAsync"/> of both stores (a record replaced on disk / in memory).</summary>
public sealed class JobRecordStoreTarget : FuzzTarget<byte[]>
{
    private StoreHarness? _stores;
    private string _fileJob = "";
    private string _memoryJob = "";

    /// <inheritdoc />
    public override string Name => "job-record-store";

    /// <inheritdoc />
    public override string Property => "LoadJobAsync of both stores on a replaced record: a description or CorruptJobRecordException; nothing written beside the store";

    /// <inheritdoc />
    public override long CiIterations => 600;

    /// <inheritdoc />
    protected override int Threads => 1;

    /// <inheritdoc />
    protected override Gen<byte[]> Inputs { get; } = JsonMutation.Documents(ValidDocuments.JobRecords());

    /// <inheritdoc />
    protected override string Print(byte[] input) => Printing.Bytes(input);

    /// <inheritdoc />
    protected override void Setup()
    {
        _stores = StoreHarness.Create();
        _fileJob = StoreHarness.Run(_stores.File.CreateJobAsync(new JobDescription("fuzz", new JobRequirements())));
        _memoryJob = StoreHarness.Run(_stores.Memory.CreateJobAsync(new JobDescription("fuzz", new JobRequirements())));
    }

    /// <inheritdoc />
    protected override void Teardown() => _stores?.Dispose();

    /// <inheritdoc />
    protected override void Check(byte[] input)
    {
        // The record names the job it is stored under, so that acceptance is possible.
        byte[] ForJob(string id) => System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(input).Replace(
            "kind-fuzz/instance-0123456789abcdef0123456789abcdef", id, StringComparison.Ordinal));

        File.WriteAllBytes(Path.Combine(_stores!.Area.Child, "jobs", _fileJob, "job"), ForJob(_fileJob));
        _stores.Memory.OverwriteRecord(_memoryJob, ForJob(_memoryJob));
        foreach (var (store, id) in new (IJobStore, string)[] { (_stores.File, _fileJob), (_stores.Memory, _memoryJob) })
        {
            Expect.SuccessOrAsync<CorruptJobRecordException, JobDescription>(() => store.LoadJobAsync(id).AsTask(), $"{store.GetType().Name}.LoadJobAsync").GetAwaiter().GetResult();
        }
    }
}
