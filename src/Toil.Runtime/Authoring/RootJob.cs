using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Authoring;

/// <summary>A root job created by <c>CreateRootJobAsync&lt;TJob, TInput, TOutput&gt;</c>, with the file that receives its return value.</summary>
/// <typeparam name="TOutput">The root job's return type.</typeparam>
public sealed class RootJob<TOutput>
{
    private readonly JsonTypeInfo<TOutput> _outputTypeInfo;

    internal RootJob(string jobStoreId, string resultFileId, JsonTypeInfo<TOutput> outputTypeInfo)
    {
        JobStoreId = jobStoreId;
        ResultFileId = resultFileId;
        _outputTypeInfo = outputTypeInfo;
    }

    /// <summary>Gets the root job's ID.</summary>
    public string JobStoreId { get; }

    /// <summary>Gets the job-store file the root job's return value is written to when it runs (empty until then).</summary>
    public string ResultFileId { get; }

    /// <summary>Reads the root job's return value.</summary>
    /// <param name="store">The job store the job was created in.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidOperationException">The root job has not run yet (the file is empty).</exception>
    /// <exception cref="NoSuchFileException">The result file was deleted.</exception>
    public async ValueTask<TOutput> ReadResultAsync(IJobStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        byte[] bytes = await store.ReadAllBytesAsync(ResultFileId, cancellationToken).ConfigureAwait(false);
        if (bytes.Length == 0)
        {
            throw new InvalidOperationException($"Root job {JobStoreId} has not returned a value yet.");
        }

        return JsonSerializer.Deserialize(bytes, _outputTypeInfo)!;
    }
}
