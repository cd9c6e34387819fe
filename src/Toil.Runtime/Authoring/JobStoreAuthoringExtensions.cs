using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Authoring;

/// <summary>Creates the first job of a workflow in a job store, from a registered job type and its input.</summary>
public static class JobStoreAuthoringExtensions
{
    private const string NewRootId = "<new root>";

    /// <summary>Creates a root job (ID assigned, body saved, job created, recorded as the store's root job).</summary>
    /// <typeparam name="TJob">The registered job class.</typeparam>
    /// <typeparam name="TInput">Its input type.</typeparam>
    /// <param name="store">The job store.</param>
    /// <param name="registry">The registry that holds <typeparamref name="TJob"/>.</param>
    /// <param name="input">The input; it cannot hold unresolved promises.</param>
    /// <param name="requirements">Explicit requirements; unset values come from the workflow defaults.</param>
    /// <param name="displayName">The display name; defaults to the type name.</param>
    /// <param name="checkpoint">Whether the root job is a checkpoint (its subtree is rerun from it when it fails).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The root job's ID.</returns>
    /// <exception cref="UnknownJobTypeException"><typeparamref name="TJob"/> is not registered.</exception>
    /// <exception cref="InvalidJobInputException">The input cannot be serialised.</exception>
    public static async ValueTask<string> CreateRootJobAsync<TJob, TInput>(this IJobStore store, JobTypeRegistry registry, TInput input, JobRequirements? requirements = null, string? displayName = null, bool checkpoint = false, CancellationToken cancellationToken = default)
        where TJob : class
    {
        var registration = Find<TInput>(registry, typeof(TJob), null, anyOutput: true);
        return (await CreateAsync(store, registration, input, requirements, displayName, checkpoint, withResult: false, cancellationToken).ConfigureAwait(false)).JobId;
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
    /// <param name="checkpoint">Whether the root job is a checkpoint (its subtree is rerun from it when it fails).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The root job and its result file, whose ID is also written to the shared file <c>rootJobReturnValue</c> before the job is recorded as the root (so a leader restarted at any moment finds it).</returns>
    /// <exception cref="UnknownJobTypeException"><typeparamref name="TJob"/> is not registered.</exception>
    /// <exception cref="InvalidJobInputException">The input cannot be serialised.</exception>
    public static async ValueTask<RootJob<TOutput>> CreateRootJobAsync<TJob, TInput, TOutput>(this IJobStore store, JobTypeRegistry registry, TInput input, JobRequirements? requirements = null, string? displayName = null, bool checkpoint = false, CancellationToken cancellationToken = default)
        where TJob : class, IJob<TInput, TOutput>
    {
        var registration = Find<TInput>(registry, typeof(TJob), typeof(TOutput), anyOutput: false);
        var (jobId, resultId) = await CreateAsync(store, registration, input, requirements, displayName, checkpoint, withResult: true, cancellationToken).ConfigureAwait(false);
        return new RootJob<TOutput>(jobId, resultId!, ((JobType<TJob, TInput, TOutput>)registration).OutputTypeInfo);
    }

    /// <summary>Creates a root job from its registration token (ID assigned, body saved, job created, recorded as the store's root job).</summary>
    /// <typeparam name="TJob">The job class (inferred from <paramref name="type"/>).</typeparam>
    /// <typeparam name="TInput">Its input type (inferred).</typeparam>
    /// <param name="store">The job store.</param>
    /// <param name="registry">The registry that holds the token's name.</param>
    /// <param name="type">The job's registration token, e.g. <c>FanOut.Type</c>.</param>
    /// <param name="input">The input; it cannot hold unresolved promises.</param>
    /// <param name="requirements">Explicit requirements; unset values come from the workflow defaults.</param>
    /// <param name="displayName">The display name; defaults to the type name.</param>
    /// <param name="checkpoint">Whether the root job is a checkpoint (its subtree is rerun from it when it fails).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The root job's ID.</returns>
    /// <exception cref="UnknownJobTypeException">No job type is registered under the token's name.</exception>
    /// <exception cref="ArgumentException">The token's name is registered with another class or input type.</exception>
    /// <exception cref="InvalidJobInputException">The input cannot be serialised.</exception>
    [OverloadResolutionPriority(-1)]
    public static async ValueTask<string> CreateRootJobAsync<TJob, TInput>(this IJobStore store, JobTypeRegistry registry, JobType<TJob, TInput> type, TInput input, JobRequirements? requirements = null, string? displayName = null, bool checkpoint = false, CancellationToken cancellationToken = default)
        where TJob : class, IJob<TInput>
    {
        ArgumentNullException.ThrowIfNull(registry);
        var registration = registry.Require(type, NewRootId);
        return (await CreateAsync(store, registration, input, requirements, displayName, checkpoint, withResult: false, cancellationToken).ConfigureAwait(false)).JobId;
    }

    /// <summary>Creates a root job from its registration token; the host can read its return value when it has run.</summary>
    /// <typeparam name="TJob">The job class (inferred from <paramref name="type"/>).</typeparam>
    /// <typeparam name="TInput">Its input type (inferred).</typeparam>
    /// <typeparam name="TOutput">Its return type (inferred).</typeparam>
    /// <param name="store">The job store.</param>
    /// <param name="registry">The registry that holds the token's name.</param>
    /// <param name="type">The job's registration token, e.g. <c>CountWords.Type</c>.</param>
    /// <param name="input">The input; it cannot hold unresolved promises.</param>
    /// <param name="requirements">Explicit requirements; unset values come from the workflow defaults.</param>
    /// <param name="displayName">The display name; defaults to the type name.</param>
    /// <param name="checkpoint">Whether the root job is a checkpoint (its subtree is rerun from it when it fails).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The root job and its result file, whose ID is also written to the shared file <c>rootJobReturnValue</c> before the job is recorded as the root (so a leader restarted at any moment finds it).</returns>
    /// <exception cref="UnknownJobTypeException">No job type is registered under the token's name.</exception>
    /// <exception cref="ArgumentException">The token's name is registered with another class, input or return type.</exception>
    /// <exception cref="InvalidJobInputException">The input cannot be serialised.</exception>
    [OverloadResolutionPriority(-1)]
    public static async ValueTask<RootJob<TOutput>> CreateRootJobAsync<TJob, TInput, TOutput>(this IJobStore store, JobTypeRegistry registry, JobType<TJob, TInput, TOutput> type, TInput input, JobRequirements? requirements = null, string? displayName = null, bool checkpoint = false, CancellationToken cancellationToken = default)
        where TJob : class, IJob<TInput, TOutput>
    {
        ArgumentNullException.ThrowIfNull(registry);
        var registration = registry.Require(type, NewRootId);
        var (jobId, resultId) = await CreateAsync(store, registration, input, requirements, displayName, checkpoint, withResult: true, cancellationToken).ConfigureAwait(false);
        return new RootJob<TOutput>(jobId, resultId!, registration.OutputTypeInfo);
    }

    private static JobTypeRegistration Find<TInput>(JobTypeRegistry registry, Type jobType, Type? outputType, bool anyOutput)
    {
        ArgumentNullException.ThrowIfNull(registry);
        if (!registry.TryGet(jobType, out var registration))
        {
            throw new UnknownJobTypeException(jobType.FullName ?? jobType.Name, NewRootId);
        }

        if (registration is not ITypedJobInput<TInput> || (!anyOutput && registration.OutputType != outputType))
        {
            throw new ArgumentException($"Job class {jobType.FullName} is registered as '{registration.Name}' with other input or output types.", nameof(registry));
        }

        return registration;
    }

    private static async ValueTask<(string JobId, string? ResultId)> CreateAsync<TInput>(IJobStore store, JobTypeRegistration registration, TInput input, JobRequirements? requirements, string? displayName, bool checkpoint, bool withResult, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var typeInfo = ((ITypedJobInput<TInput>)registration).InputTypeInfo;
        var job = checkpoint
            ? new CheckpointJobDescription(registration.Name, requirements, displayName: displayName)
            : new JobDescription(registration.Name, requirements, displayName: displayName);
        await store.AssignJobIdAsync(job, cancellationToken).ConfigureAwait(false);
        string? resultId = withResult
            ? await store.GetEmptyFileIdAsync(baseName: RuntimeFileNames.RootResult, cancellationToken: cancellationToken).ConfigureAwait(false)
            : null;
        byte[] body;
        try
        {
            body = JobBodyDocument.Write(new PromiseWriter([], "A root job's input cannot hold an unresolved promise: no job runs before the root."), registration.Name, json => JsonSerializer.Serialize(json, input, typeInfo), resultId is null ? [] : [resultId]);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            if (resultId is not null)
            {
                await store.DeleteFileAsync(resultId, CancellationToken.None).ConfigureAwait(false);
            }

            throw new InvalidJobInputException(job.JobStoreId, registration.Name, "it cannot be serialised (a root job's input cannot hold unresolved promises)", e);
        }

        await JobBodies.AttachAsync(store, job, registration.Name, body, cancellationToken).ConfigureAwait(false);
        await store.CreateJobAsync(job, cancellationToken).ConfigureAwait(false);
        if (resultId is not null)
        {
            // Recorded before the job becomes the root: a leader killed at any moment after the root is set finds its
            // result file on restart (a store without a root is started afresh).
            await store.WriteSharedFileAsync(SharedFileNames.RootJobReturnValue, Encoding.UTF8.GetBytes(resultId), cancellationToken).ConfigureAwait(false);
        }

        await store.SetRootJobIdAsync(job.JobStoreId, cancellationToken).ConfigureAwait(false);
        return (job.JobStoreId, resultId);
    }
}
