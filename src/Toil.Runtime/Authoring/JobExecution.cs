using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Authoring;

/// <summary>The untyped part of one body run, called back by the typed <see cref="JobTypeRegistration"/>.</summary>
internal sealed class JobExecution(JobInvocation invocation, JobContext context, JobBodyDocument body, string typeName, IServiceProvider services, CancellationToken cancellationToken)
{
    // Made by the first promise the input consumes (most inputs hold none).
    private HashSet<string>? _consumed;
    private List<string>? _consumedIds;

    public JobContext Context { get; } = context;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>The promise files this job's input consumed, in order, without duplicates.</summary>
    public IReadOnlyList<string> ConsumedPromiseFileIds => _consumedIds ?? (IReadOnlyList<string>)[];

    /// <summary>Reads the input and resolves every promise in it.</summary>
    /// <exception cref="InvalidJobInputException">The JSON does not match, or a promise cannot be resolved.</exception>
    public async ValueTask<TInput> ReadInputAsync<TInput>(JsonTypeInfo<TInput> typeInfo)
    {
        string jobId = invocation.Job.JobStoreId;
        TInput? input;
        List<Promise>? promises;
        try
        {
            input = PromiseScope.Read((Body: body, TypeInfo: typeInfo), static s => s.Body.Input.Deserialize(s.TypeInfo), out promises);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new InvalidJobInputException(jobId, typeName, $"it does not match {typeof(TInput).Name}: {e.Message}", e);
        }

        if (input is null)
        {
            throw new InvalidJobInputException(jobId, typeName, "it is null");
        }

        if (promises is null)
        {
            return input;
        }

        foreach (var promise in promises)
        {
            string fileId = promise.StoredFileId!;
            byte[] value;
            try
            {
                value = await invocation.JobStore.ReadAllBytesAsync(fileId, CancellationToken).ConfigureAwait(false);
            }
            catch (NoSuchFileException e)
            {
                throw new InvalidJobInputException(jobId, typeName, $"its promise file '{fileId}' does not exist (already consumed, or never registered)", e);
            }

            if (value.Length == 0)
            {
                throw new InvalidJobInputException(jobId, typeName, $"its promise file '{fileId}' is empty: the job that fulfils it has not run");
            }

            try
            {
                promise.Resolve(value, typeInfo.Options);
            }
            catch (Exception e) when (e is JsonException or NotSupportedException or InvalidCastException)
            {
                throw new InvalidJobInputException(jobId, typeName, $"its promise file '{fileId}' does not hold the promised type: {e.Message}", e);
            }

            if ((_consumed ??= new HashSet<string>(StringComparer.Ordinal)).Add(fileId))
            {
                (_consumedIds ??= []).Add(fileId);
            }
        }

        return input;
    }

    /// <summary>Serializes the job's return value, which cannot hold an unresolved promise.</summary>
    /// <exception cref="InvalidOperationException">The value holds an unresolved promise.</exception>
    public byte[] SerializeOutput<TOutput>(TOutput output, JsonTypeInfo<TOutput> typeInfo) =>
        PromiseScope.Write(
            new PromiseWriter([], $"Job {invocation.Job.JobStoreId} (type '{typeName}') returned a value holding an unresolved promise; return values cannot forward promises — pass the promise to a successor's input instead."),
            json => JsonSerializer.Serialize(json, output, typeInfo));

    /// <summary>Resolves the job class from DI, or creates it with its constructor's services.</summary>
    public TJob CreateJob<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TJob>()
        where TJob : class
        => ActivatorUtilities.GetServiceOrCreateInstance<TJob>(services);
}
