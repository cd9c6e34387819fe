using System.Runtime.CompilerServices;
using System.Text.Json;
using Toil.Runtime.Jobs;

namespace Toil.Runtime.Authoring;

/// <summary>
/// A job in the graph a running job builds: the running job itself (<see cref="JobContext.Job"/>) or a job it created.
/// New jobs are saved when the body returns (validated, IDs assigned, created in one batch before the parent's commit).
/// </summary>
/// <remarks>Thread-safe: a body may add jobs from several tasks at once.</remarks>
public sealed class JobHandle
{
    private readonly List<JobHandle> _children = [];
    private readonly List<JobHandle> _followOns = [];

    // Every child and follow-on, for the duplicate check: a list search made adding N children O(N²) (docs/reliability.md, "Load").
    // Made by the first link (most handles, the running job's among them, get none).
    private HashSet<JobHandle>? _successors;

    internal JobHandle(JobGraph graph, JobDescription description, JobTypeRegistration? registration, Action<Utf8JsonWriter>? writeInput)
    {
        Graph = graph;
        Description = description;
        Registration = registration;
        WriteInput = writeInput;
    }

    /// <summary>Gets the job's ID: a temporary ID until the graph is saved, then the ID the job store assigned.</summary>
    public string JobStoreId => Description.JobStoreId;

    /// <summary>Gets the job's name (its registered type name).</summary>
    public string JobName => Description.JobName;

    /// <summary>Gets the job's display name.</summary>
    public string DisplayName => Description.DisplayName;

    /// <summary>Gets a value indicating whether the job is a checkpoint (reruns from its body when its subtree fails).</summary>
    public bool IsCheckpoint => Description is CheckpointJobDescription;

    /// <summary>Gets the requirements set for the job.</summary>
    public JobRequirements Requirements => Description.Requirements;

    /// <summary>Gets a snapshot of the children added in this run.</summary>
    public IReadOnlyList<JobHandle> Children
    {
        get
        {
            lock (Graph.Sync)
            {
                return [.. _children];
            }
        }
    }

    /// <summary>Gets a snapshot of the follow-ons added in this run.</summary>
    public IReadOnlyList<JobHandle> FollowOns
    {
        get
        {
            lock (Graph.Sync)
            {
                return [.. _followOns];
            }
        }
    }

    /// <summary>The live children, for the graph once it no longer changes.</summary>
    internal List<JobHandle> ChildList => _children;

    /// <summary>The live follow-ons, for the graph once it no longer changes.</summary>
    internal List<JobHandle> FollowOnList => _followOns;

    internal JobGraph Graph { get; }

    internal JobDescription Description { get; }

    internal JobTypeRegistration? Registration { get; }

    /// <summary>Writes the job's input; <see langword="null"/> for the running job.</summary>
    internal Action<Utf8JsonWriter>? WriteInput { get; }

    internal bool IsNew => WriteInput is not null;

    internal int PredecessorCount { get; private set; }

    /// <summary>Files this job fulfils with its return value (registered by its consumers while saving).</summary>
    internal List<string> PromiseFiles { get; } = [];

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
        => AddChild(Graph.Create(type, input, requirements, displayName, checkpoint: false));

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
    {
        var promise = Graph.Create(type, input, requirements, displayName, checkpoint: false);
        AddChild(promise.Job!);
        return promise;
    }

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
        => AddChild(Graph.Create(type, input, requirements, displayName, checkpoint: true));

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
    {
        var promise = Graph.Create(type, input, requirements, displayName, checkpoint: true);
        AddChild(promise.Job!);
        return promise;
    }

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
        => AddFollowOn(Graph.Create(type, input, requirements, displayName, checkpoint: false));

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
    {
        var promise = Graph.Create(type, input, requirements, displayName, checkpoint: false);
        AddFollowOn(promise.Job!);
        return promise;
    }

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
        => AddChild(Graph.Create<TJob, TInput>(input, requirements, displayName, checkpoint: false));

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
    {
        var promise = Graph.Create<TJob, TInput, TOutput>(input, requirements, displayName, checkpoint: false);
        AddChild(promise.Job!);
        return promise;
    }

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
        => AddChild(Graph.Create<TJob, TInput>(input, requirements, displayName, checkpoint: true));

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
    {
        var promise = Graph.Create<TJob, TInput, TOutput>(input, requirements, displayName, checkpoint: true);
        AddChild(promise.Job!);
        return promise;
    }

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
        => AddFollowOn(Graph.Create<TJob, TInput>(input, requirements, displayName, checkpoint: false));

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
    {
        var promise = Graph.Create<TJob, TInput, TOutput>(input, requirements, displayName, checkpoint: false);
        AddFollowOn(promise.Job!);
        return promise;
    }

    /// <summary>Makes a job created in this run (see <see cref="JobContext.CreateJob{TJob, TInput}(TInput, JobRequirements?, string?, bool)"/>) a child of this job.</summary>
    /// <param name="child">The job.</param>
    /// <returns><paramref name="child"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="child"/> is the running job or belongs to another run.</exception>
    /// <exception cref="ConflictingPredecessorException"><paramref name="child"/> already follows this job.</exception>
    public JobHandle AddChild(JobHandle child)
    {
        Link(child, _children);
        return child;
    }

    /// <summary>Makes a job created in this run a follow-on of this job.</summary>
    /// <param name="followOn">The job.</param>
    /// <returns><paramref name="followOn"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="followOn"/> is the running job or belongs to another run.</exception>
    /// <exception cref="ConflictingPredecessorException"><paramref name="followOn"/> already follows this job.</exception>
    public JobHandle AddFollowOn(JobHandle followOn)
    {
        Link(followOn, _followOns);
        return followOn;
    }

    /// <summary>Returns the job's description text (<c>'name' [unit] id vN</c>).</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Description.ToString();

    private void Link(JobHandle successor, List<JobHandle> phase)
    {
        ArgumentNullException.ThrowIfNull(successor);
        if (!ReferenceEquals(successor.Graph, Graph))
        {
            throw new ArgumentException($"Job {successor} was created by another job's run; only jobs created in this run can be linked.", nameof(successor));
        }

        if (!successor.IsNew)
        {
            throw new ArgumentException($"Job {successor} is the running job; it cannot be a successor.", nameof(successor));
        }

        lock (Graph.Sync)
        {
            Graph.ThrowIfSaved();
            if (!(_successors ??= new(ReferenceEqualityComparer.Instance)).Add(successor))
            {
                throw new ConflictingPredecessorException(ToString(), successor.ToString());
            }

            phase.Add(successor);
            successor.PredecessorCount++;
        }
    }
}
