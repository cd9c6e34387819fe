using System.Text.Json;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Authoring;

/// <summary>Creates the first job of a workflow in a job store, from a registered job type and its input.</summary>
public static class JobStoreAuthoringExtensions
{
    /// <summary>Creates a root job (ID assigned, body saved, job created, recorded as the store's root job).</summary>
    /// <typeparam name="TJob">The registered job class.</typeparam>
    /// <typeparam name="TInput">Its input type.</typeparam>
    /// <param name="store">The job store.</param>
    /// <param name="registry">The registry that holds <typeparamref name="TJob"/>.</param>
    /// <param name="input">The input; it cannot hold unresolved promises.</param>
    /// <param name="requirements">Explicit requirements; unset values come from the workflow defaults.</param>
    /// <param name="displayName">The display name; defaults to the type name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The root job's ID.</returns>
    /// <exception cref="UnknownJobTypeException"><typeparamref name="TJob"/> is not registered.</exception>
    /// <exception cref="InvalidJobInputException">The input cannot be serialised.</exception>
    public static async ValueTask<string> CreateRootJobAsync<TJob, TInput>(this IJobStore store, JobTypeRegistry registry, TInput input, JobRequirements? requirements = null, string? displayName = null, CancellationToken cancellationToken = default)
        where TJob : class, IJob<TInput>
    {
        var registration = Find<TInput>(registry, typeof(TJob), null);
        return (await CreateAsync(store, registration, input, requirements, displayName, withResult: false, cancellationToken).ConfigureAwait(false)).JobId;
    }

    /// <summary>Creates a root job whose return value the host can read when it has run.</summary>
    /// <typeparam name="TJob">The registered job class.</typeparam>
    /// <typeparam name="TInput">Its input type.</typeparam>
    /// <typeparam name="TOutput">Its return type.</typeparam>
    /// <param name="store">The job store.</param>
    /// <param name="registry">The registry that holds <typeparamref name="TJob"/>.</param>
    /// <param name="input">The input; it cannot hold unresolved promises.</param>
    /// <param name="requirements">Explicit requirements; unset values come from the workflow defaults.</param>
    /// <param name="displayName">The display name; defaults to the type name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The root job and its result file.</returns>
    /// <exception cref="UnknownJobTypeException"><typeparamref name="TJob"/> is not registered.</exception>
    /// <exception cref="InvalidJobInputException">The input cannot be serialised.</exception>
    public static async ValueTask<RootJob<TOutput>> CreateRootJobAsync<TJob, TInput, TOutput>(this IJobStore store, JobTypeRegistry registry, TInput input, JobRequirements? requirements = null, string? displayName = null, CancellationToken cancellationToken = default)
        where TJob : class, IJob<TInput, TOutput>
    {
        var registration = Find<TInput>(registry, typeof(TJob), typeof(TOutput));
        var (jobId, resultId) = await CreateAsync(store, registration, input, requirements, displayName, withResult: true, cancellationToken).ConfigureAwait(false);
        return new RootJob<TOutput>(jobId, resultId!, ((JobTypeRegistration<TJob, TInput, TOutput>)registration).OutputTypeInfo);
    }

    private static JobTypeRegistration Find<TInput>(JobTypeRegistry registry, Type jobType, Type? outputType)
    {
        ArgumentNullException.ThrowIfNull(registry);
        if (!registry.TryGet(jobType, out var registration))
        {
            throw new UnknownJobTypeException(jobType.FullName ?? jobType.Name, "<new root>");
        }

        if (registration is not ITypedJobInput<TInput> || registration.OutputType != outputType)
        {
            throw new ArgumentException($"Job class {jobType.FullName} is registered as '{registration.Name}' with other input or output types.", nameof(registry));
        }

        return registration;
    }

    private static async ValueTask<(string JobId, string? ResultId)> CreateAsync<TInput>(IJobStore store, JobTypeRegistration registration, TInput input, JobRequirements? requirements, string? displayName, bool withResult, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var typeInfo = ((ITypedJobInput<TInput>)registration).InputTypeInfo;
        var job = new JobDescription(registration.Name, requirements, displayName: displayName);
        await store.AssignJobIdAsync(job, cancellationToken).ConfigureAwait(false);
        byte[] body;
        try
        {
            // An empty map: an unresolved promise has nothing to come from in a root input, and fails here.
            body = JobBodyDocument.Write(new PromiseWriter([]), registration.Name, json => JsonSerializer.Serialize(json, input, typeInfo), []);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new InvalidJobInputException(job.JobStoreId, registration.Name, "it cannot be serialised (a root job's input cannot hold unresolved promises)", e);
        }

        string? resultId = null;
        if (withResult)
        {
            resultId = await store.GetEmptyFileIdAsync(baseName: "promise", cancellationToken: cancellationToken).ConfigureAwait(false);
            body = JobBodyDocument.Write(new PromiseWriter([]), registration.Name, json => JsonSerializer.Serialize(json, input, typeInfo), [resultId]);
        }

        string bodyId = await store.WriteFileAsync(body, job.JobStoreId, cleanup: true, baseName: "body", cancellationToken).ConfigureAwait(false);
        job.AttachBody(new JobBody(registration.Name, bodyId));
        await store.CreateRootJobAsync(job, cancellationToken).ConfigureAwait(false);
        return (job.JobStoreId, resultId);
    }
}
