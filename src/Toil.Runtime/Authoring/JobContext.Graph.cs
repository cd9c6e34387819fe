using System.Runtime.CompilerServices;
using Toil.Runtime.Jobs;

namespace Toil.Runtime.Authoring;

/// <summary>The job-graph part of <see cref="JobContext"/>: each method acts on <see cref="JobContext.Job"/>.</summary>
public sealed partial class JobContext
{
    /// <summary>Adds a new child.</summary>
    /// <typeparam name="TJob">The job class (inferred from <paramref name="type"/>).</typeparam>
    /// <typeparam name="TInput">Its input type (inferred).</typeparam>
    /// <param name="type">The job's registration token, e.g. <c>CountWords.Type</c>.</param>
    /// <param name="input">The input.</param>
    /// <param name="requirements">Explicit requirements; unset values come from the workflow defaults.</param>
    /// <param name="displayName">The display name; defaults to the type name.</param>
    /// <returns>The new job.</returns>
    /// <exception cref="UnknownJobTypeException">No job type is registered under the token's name.</exception>
    /// <exception cref="ArgumentException">The token's name is registered with another class, input or return type.</exception>
    [OverloadResolutionPriority(-1)]
    public JobHandle AddChild<TJob, TInput>(JobType<TJob, TInput> type, TInput input, JobRequirements? requirements = null, string? displayName = null)
        where TJob : class, IJob<TInput>
        => Job.AddChild(type, input, requirements, displayName);

    /// <summary>Adds a new child and returns its promised return value.</summary>
    /// <typeparam name="TJob">The job class (inferred from <paramref name="type"/>).</typeparam>
    /// <typeparam name="TInput">Its input type (inferred).</typeparam>
    /// <typeparam name="TOutput">Its return type (inferred).</typeparam>
    /// <param name="type">The job's registration token, e.g. <c>CountWords.Type</c>.</param>
    /// <param name="input">The input.</param>
    /// <param name="requirements">Explicit requirements; unset values come from the workflow defaults.</param>
    /// <param name="displayName">The display name; defaults to the type name.</param>
    /// <returns>The promise of the child's return value (its <see cref="Promise.Job"/> is the child).</returns>
    /// <exception cref="UnknownJobTypeException">No job type is registered under the token's name.</exception>
    /// <exception cref="ArgumentException">The token's name is registered with another class, input or return type.</exception>
    [OverloadResolutionPriority(-1)]
    public Promise<TOutput> AddChild<TJob, TInput, TOutput>(JobType<TJob, TInput, TOutput> type, TInput input, JobRequirements? requirements = null, string? displayName = null)
        where TJob : class, IJob<TInput, TOutput>
        => Job.AddChild(type, input, requirements, displayName);

    /// <summary>Adds a new checkpoint child; it must stay a leaf in this run.</summary>
    /// <typeparam name="TJob">The job class (inferred from <paramref name="type"/>).</typeparam>
    /// <typeparam name="TInput">Its input type (inferred).</typeparam>
    /// <param name="type">The job's registration token, e.g. <c>CountWords.Type</c>.</param>
    /// <param name="input">The input.</param>
    /// <param name="requirements">Explicit requirements; unset values come from the workflow defaults.</param>
    /// <param name="displayName">The display name; defaults to the type name.</param>
    /// <returns>The new job.</returns>
    /// <exception cref="UnknownJobTypeException">No job type is registered under the token's name.</exception>
    /// <exception cref="ArgumentException">The token's name is registered with another class, input or return type.</exception>
    [OverloadResolutionPriority(-1)]
    public JobHandle AddCheckpointChild<TJob, TInput>(JobType<TJob, TInput> type, TInput input, JobRequirements? requirements = null, string? displayName = null)
        where TJob : class, IJob<TInput>
        => Job.AddCheckpointChild(type, input, requirements, displayName);

    /// <summary>Adds a new checkpoint child and returns its promised return value; it must stay a leaf in this run.</summary>
    /// <typeparam name="TJob">The job class (inferred from <paramref name="type"/>).</typeparam>
    /// <typeparam name="TInput">Its input type (inferred).</typeparam>
    /// <typeparam name="TOutput">Its return type (inferred).</typeparam>
    /// <param name="type">The job's registration token, e.g. <c>CountWords.Type</c>.</param>
    /// <param name="input">The input.</param>
    /// <param name="requirements">Explicit requirements; unset values come from the workflow defaults.</param>
    /// <param name="displayName">The display name; defaults to the type name.</param>
    /// <returns>The promise of the child's return value.</returns>
    /// <exception cref="UnknownJobTypeException">No job type is registered under the token's name.</exception>
    /// <exception cref="ArgumentException">The token's name is registered with another class, input or return type.</exception>
    [OverloadResolutionPriority(-1)]
    public Promise<TOutput> AddCheckpointChild<TJob, TInput, TOutput>(JobType<TJob, TInput, TOutput> type, TInput input, JobRequirements? requirements = null, string? displayName = null)
        where TJob : class, IJob<TInput, TOutput>
        => Job.AddCheckpointChild(type, input, requirements, displayName);

    /// <summary>Adds a new follow-on (runs after this job's children and all their descendants).</summary>
    /// <typeparam name="TJob">The job class (inferred from <paramref name="type"/>).</typeparam>
    /// <typeparam name="TInput">Its input type (inferred).</typeparam>
    /// <param name="type">The job's registration token, e.g. <c>CountWords.Type</c>.</param>
    /// <param name="input">The input.</param>
    /// <param name="requirements">Explicit requirements; unset values come from the workflow defaults.</param>
    /// <param name="displayName">The display name; defaults to the type name.</param>
    /// <returns>The new job.</returns>
    /// <exception cref="UnknownJobTypeException">No job type is registered under the token's name.</exception>
    /// <exception cref="ArgumentException">The token's name is registered with another class, input or return type.</exception>
    [OverloadResolutionPriority(-1)]
    public JobHandle AddFollowOn<TJob, TInput>(JobType<TJob, TInput> type, TInput input, JobRequirements? requirements = null, string? displayName = null)
        where TJob : class, IJob<TInput>
        => Job.AddFollowOn(type, input, requirements, displayName);

    /// <summary>Adds a new follow-on and returns its promised return value.</summary>
    /// <typeparam name="TJob">The job class (inferred from <paramref name="type"/>).</typeparam>
    /// <typeparam name="TInput">Its input type (inferred).</typeparam>
    /// <typeparam name="TOutput">Its return type (inferred).</typeparam>
    /// <param name="type">The job's registration token, e.g. <c>CountWords.Type</c>.</param>
    /// <param name="input">The input.</param>
    /// <param name="requirements">Explicit requirements; unset values come from the workflow defaults.</param>
    /// <param name="displayName">The display name; defaults to the type name.</param>
    /// <returns>The promise of the follow-on's return value.</returns>
    /// <exception cref="UnknownJobTypeException">No job type is registered under the token's name.</exception>
    /// <exception cref="ArgumentException">The token's name is registered with another class, input or return type.</exception>
    [OverloadResolutionPriority(-1)]
    public Promise<TOutput> AddFollowOn<TJob, TInput, TOutput>(JobType<TJob, TInput, TOutput> type, TInput input, JobRequirements? requirements = null, string? displayName = null)
        where TJob : class, IJob<TInput, TOutput>
        => Job.AddFollowOn(type, input, requirements, displayName);

    /// <summary>Creates a job that is not linked yet (see <see cref="CreateJob{TJob, TInput}(TInput, JobRequirements?, string?, bool)"/>).</summary>
    /// <typeparam name="TJob">The job class (inferred from <paramref name="type"/>).</typeparam>
    /// <typeparam name="TInput">Its input type (inferred).</typeparam>
    /// <param name="type">The job's registration token, e.g. <c>CountWords.Type</c>.</param>
    /// <param name="input">The input.</param>
    /// <param name="requirements">Explicit requirements; unset values come from the workflow defaults.</param>
    /// <param name="displayName">The display name; defaults to the type name.</param>
    /// <param name="checkpoint">Whether the job is a checkpoint.</param>
    /// <returns>The new job.</returns>
    /// <exception cref="UnknownJobTypeException">No job type is registered under the token's name.</exception>
    /// <exception cref="ArgumentException">The token's name is registered with another class, input or return type.</exception>
    [OverloadResolutionPriority(-1)]
    public JobHandle CreateJob<TJob, TInput>(JobType<TJob, TInput> type, TInput input, JobRequirements? requirements = null, string? displayName = null, bool checkpoint = false)
        where TJob : class, IJob<TInput>
        => _graph.Create(type, input, requirements, displayName, checkpoint);

    /// <summary>Creates a job with a return value that is not linked yet.</summary>
    /// <typeparam name="TJob">The job class (inferred from <paramref name="type"/>).</typeparam>
    /// <typeparam name="TInput">Its input type (inferred).</typeparam>
    /// <typeparam name="TOutput">Its return type (inferred).</typeparam>
    /// <param name="type">The job's registration token, e.g. <c>CountWords.Type</c>.</param>
    /// <param name="input">The input.</param>
    /// <param name="requirements">Explicit requirements; unset values come from the workflow defaults.</param>
    /// <param name="displayName">The display name; defaults to the type name.</param>
    /// <param name="checkpoint">Whether the job is a checkpoint.</param>
    /// <returns>The promise of the job's return value; <see cref="Promise.Job"/> is the job to link.</returns>
    /// <exception cref="UnknownJobTypeException">No job type is registered under the token's name.</exception>
    /// <exception cref="ArgumentException">The token's name is registered with another class, input or return type.</exception>
    [OverloadResolutionPriority(-1)]
    public Promise<TOutput> CreateJob<TJob, TInput, TOutput>(JobType<TJob, TInput, TOutput> type, TInput input, JobRequirements? requirements = null, string? displayName = null, bool checkpoint = false)
        where TJob : class, IJob<TInput, TOutput>
        => _graph.Create(type, input, requirements, displayName, checkpoint);

    /// <summary>Adds a new child whose return value, if any, is not used.</summary>
    /// <typeparam name="TJob">The registered job class.</typeparam>
    /// <typeparam name="TInput">Its input type.</typeparam>
    /// <param name="input">The input.</param>
    /// <param name="requirements">Explicit requirements; unset values come from the workflow defaults.</param>
    /// <param name="displayName">The display name; defaults to the type name.</param>
    /// <returns>The new job.</returns>
    /// <exception cref="UnknownJobTypeException"><typeparamref name="TJob"/> is not registered.</exception>
    public JobHandle AddChild<TJob, TInput>(TInput input, JobRequirements? requirements = null, string? displayName = null)
        where TJob : class
        => Job.AddChild<TJob, TInput>(input, requirements, displayName);

    /// <summary>Adds a new child and returns its promised return value.</summary>
    /// <typeparam name="TJob">The registered job class.</typeparam>
    /// <typeparam name="TInput">Its input type.</typeparam>
    /// <typeparam name="TOutput">Its return type.</typeparam>
    /// <param name="input">The input.</param>
    /// <param name="requirements">Explicit requirements; unset values come from the workflow defaults.</param>
    /// <param name="displayName">The display name; defaults to the type name.</param>
    /// <returns>The promise of the child's return value (its <see cref="Promise.Job"/> is the child).</returns>
    /// <exception cref="UnknownJobTypeException"><typeparamref name="TJob"/> is not registered.</exception>
    public Promise<TOutput> AddChild<TJob, TInput, TOutput>(TInput input, JobRequirements? requirements = null, string? displayName = null)
        where TJob : class, IJob<TInput, TOutput>
        => Job.AddChild<TJob, TInput, TOutput>(input, requirements, displayName);

    /// <summary>Adds a new checkpoint child whose return value, if any, is not used; it must stay a leaf in this run.</summary>
    /// <typeparam name="TJob">The registered job class.</typeparam>
    /// <typeparam name="TInput">Its input type.</typeparam>
    /// <param name="input">The input.</param>
    /// <param name="requirements">Explicit requirements; unset values come from the workflow defaults.</param>
    /// <param name="displayName">The display name; defaults to the type name.</param>
    /// <returns>The new job.</returns>
    /// <exception cref="UnknownJobTypeException"><typeparamref name="TJob"/> is not registered.</exception>
    public JobHandle AddCheckpointChild<TJob, TInput>(TInput input, JobRequirements? requirements = null, string? displayName = null)
        where TJob : class
        => Job.AddCheckpointChild<TJob, TInput>(input, requirements, displayName);

    /// <summary>Adds a new checkpoint child and returns its promised return value; it must stay a leaf in this run.</summary>
    /// <typeparam name="TJob">The registered job class.</typeparam>
    /// <typeparam name="TInput">Its input type.</typeparam>
    /// <typeparam name="TOutput">Its return type.</typeparam>
    /// <param name="input">The input.</param>
    /// <param name="requirements">Explicit requirements; unset values come from the workflow defaults.</param>
    /// <param name="displayName">The display name; defaults to the type name.</param>
    /// <returns>The promise of the child's return value.</returns>
    /// <exception cref="UnknownJobTypeException"><typeparamref name="TJob"/> is not registered.</exception>
    public Promise<TOutput> AddCheckpointChild<TJob, TInput, TOutput>(TInput input, JobRequirements? requirements = null, string? displayName = null)
        where TJob : class, IJob<TInput, TOutput>
        => Job.AddCheckpointChild<TJob, TInput, TOutput>(input, requirements, displayName);

    /// <summary>Adds a new follow-on (runs after this job's children and all their descendants) whose return value, if any, is not used.</summary>
    /// <typeparam name="TJob">The registered job class.</typeparam>
    /// <typeparam name="TInput">Its input type.</typeparam>
    /// <param name="input">The input.</param>
    /// <param name="requirements">Explicit requirements; unset values come from the workflow defaults.</param>
    /// <param name="displayName">The display name; defaults to the type name.</param>
    /// <returns>The new job.</returns>
    /// <exception cref="UnknownJobTypeException"><typeparamref name="TJob"/> is not registered.</exception>
    public JobHandle AddFollowOn<TJob, TInput>(TInput input, JobRequirements? requirements = null, string? displayName = null)
        where TJob : class
        => Job.AddFollowOn<TJob, TInput>(input, requirements, displayName);

    /// <summary>Adds a new follow-on and returns its promised return value.</summary>
    /// <typeparam name="TJob">The registered job class.</typeparam>
    /// <typeparam name="TInput">Its input type.</typeparam>
    /// <typeparam name="TOutput">Its return type.</typeparam>
    /// <param name="input">The input.</param>
    /// <param name="requirements">Explicit requirements; unset values come from the workflow defaults.</param>
    /// <param name="displayName">The display name; defaults to the type name.</param>
    /// <returns>The promise of the follow-on's return value.</returns>
    /// <exception cref="UnknownJobTypeException"><typeparamref name="TJob"/> is not registered.</exception>
    public Promise<TOutput> AddFollowOn<TJob, TInput, TOutput>(TInput input, JobRequirements? requirements = null, string? displayName = null)
        where TJob : class, IJob<TInput, TOutput>
        => Job.AddFollowOn<TJob, TInput, TOutput>(input, requirements, displayName);

    /// <summary>Makes a job created with <see cref="CreateJob{TJob, TInput}(TInput, JobRequirements?, string?, bool)"/> a child of the running job.</summary>
    /// <param name="child">The job.</param>
    /// <returns><paramref name="child"/>.</returns>
    /// <exception cref="ConflictingPredecessorException"><paramref name="child"/> is already a successor of the running job.</exception>
    public JobHandle AddChild(JobHandle child) => Job.AddChild(child);

    /// <summary>Makes a job created with <see cref="CreateJob{TJob, TInput}(TInput, JobRequirements?, string?, bool)"/> a follow-on of the running job.</summary>
    /// <param name="followOn">The job.</param>
    /// <returns><paramref name="followOn"/>.</returns>
    /// <exception cref="ConflictingPredecessorException"><paramref name="followOn"/> is already a successor of the running job.</exception>
    public JobHandle AddFollowOn(JobHandle followOn) => Job.AddFollowOn(followOn);

    /// <summary>
    /// Creates a job that is not linked yet, for graphs where a job has several predecessors. Link it with
    /// <see cref="JobHandle.AddChild(JobHandle)"/> or <see cref="JobHandle.AddFollowOn(JobHandle)"/>; a job left unlinked
    /// fails the save with <see cref="JobGraphRootException"/>.
    /// </summary>
    /// <typeparam name="TJob">The registered job class.</typeparam>
    /// <typeparam name="TInput">Its input type.</typeparam>
    /// <param name="input">The input.</param>
    /// <param name="requirements">Explicit requirements; unset values come from the workflow defaults.</param>
    /// <param name="displayName">The display name; defaults to the type name.</param>
    /// <param name="checkpoint">Whether the job is a checkpoint.</param>
    /// <returns>The new job.</returns>
    /// <exception cref="UnknownJobTypeException"><typeparamref name="TJob"/> is not registered.</exception>
    public JobHandle CreateJob<TJob, TInput>(TInput input, JobRequirements? requirements = null, string? displayName = null, bool checkpoint = false)
        where TJob : class
        => _graph.Create<TJob, TInput>(input, requirements, displayName, checkpoint);

    /// <summary>Creates a job with a return value that is not linked yet (see <see cref="CreateJob{TJob, TInput}(TInput, JobRequirements?, string?, bool)"/>).</summary>
    /// <typeparam name="TJob">The registered job class.</typeparam>
    /// <typeparam name="TInput">Its input type.</typeparam>
    /// <typeparam name="TOutput">Its return type.</typeparam>
    /// <param name="input">The input.</param>
    /// <param name="requirements">Explicit requirements; unset values come from the workflow defaults.</param>
    /// <param name="displayName">The display name; defaults to the type name.</param>
    /// <param name="checkpoint">Whether the job is a checkpoint.</param>
    /// <returns>The promise of the job's return value; <see cref="Promise.Job"/> is the job to link.</returns>
    /// <exception cref="UnknownJobTypeException"><typeparamref name="TJob"/> is not registered.</exception>
    public Promise<TOutput> CreateJob<TJob, TInput, TOutput>(TInput input, JobRequirements? requirements = null, string? displayName = null, bool checkpoint = false)
        where TJob : class, IJob<TInput, TOutput>
        => _graph.Create<TJob, TInput, TOutput>(input, requirements, displayName, checkpoint);
}
