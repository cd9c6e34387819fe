using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Authoring;

/// <summary>
/// The jobs one body run creates, rooted at the running job, and their saving (docs/authoring.md, "Saving the graph"): validate (one root,
/// acyclic with implied follow-on edges, new checkpoints are leaves, promises consumed only after their producer), assign
/// IDs, save bodies consumers first (so each producer's body lists its promise files), create every new job in one batch,
/// then add the new successors to the running job's description in memory — the worker's commit writes it.
/// </summary>
internal sealed class JobGraph
{
    private readonly JobTypeRegistry _registry;
    private readonly List<JobHandle> _new = [];
    private volatile bool _saved;

    public JobGraph(JobTypeRegistry registry, JobDescription runningJob)
    {
        _registry = registry;
        Root = new JobHandle(this, runningJob, null, null);
    }

    public JobHandle Root { get; }

    /// <summary>Guards graph changes, so a body may add jobs from several tasks at once.</summary>
    public Lock Sync { get; } = new();

    public IReadOnlyList<JobHandle> NewJobs => _new;

    public void ThrowIfSaved()
    {
        if (_saved)
        {
            throw new InvalidOperationException("The job graph of this run was already saved; jobs can only be added while the body runs.");
        }
    }

    public JobHandle Create<TJob, TInput>(TInput input, JobRequirements? requirements, string? displayName, bool checkpoint)
        where TJob : class
        => CreateNode<TInput>(typeof(TJob), null, anyOutput: true, input, requirements, displayName, checkpoint);

    public Promise<TOutput> Create<TJob, TInput, TOutput>(TInput input, JobRequirements? requirements, string? displayName, bool checkpoint)
        where TJob : class, IJob<TInput, TOutput>
        => new(CreateNode<TInput>(typeof(TJob), typeof(TOutput), anyOutput: false, input, requirements, displayName, checkpoint));

    public JobHandle Create<TJob, TInput>(JobType<TJob, TInput> type, TInput input, JobRequirements? requirements, string? displayName, bool checkpoint)
        where TJob : class, IJob<TInput>
    {
        var registration = _registry.Require(type, Root.Description.JobStoreId);
        return AddNode(registration, registration.InputTypeInfo, input, requirements, displayName, checkpoint);
    }

    public Promise<TOutput> Create<TJob, TInput, TOutput>(JobType<TJob, TInput, TOutput> type, TInput input, JobRequirements? requirements, string? displayName, bool checkpoint)
        where TJob : class, IJob<TInput, TOutput>
    {
        var registration = _registry.Require(type, Root.Description.JobStoreId);
        return new(AddNode(registration, registration.InputTypeInfo, input, requirements, displayName, checkpoint));
    }

    /// <summary>Saves the new jobs; returns how many were created.</summary>
    public async ValueTask<int> SaveAsync(IJobStore store, CancellationToken cancellationToken)
    {
        lock (Sync)
        {
            ThrowIfSaved();
            _saved = true;
        }

        if (_new.Count == 0)
        {
            return 0;
        }

        var edges = Validate();
        List<JobHandle> order = TopologicalOrder(edges);

        // Which promises each new job's input holds, checked before anything is written.
        var consumed = new Dictionary<JobHandle, List<Promise>>();
        foreach (var job in _new)
        {
            var collector = new PromiseWriter();
            Serialize(job, () => PromiseScope.Write(collector, job.WriteInput!));
            foreach (var promise in collector.Referenced!)
            {
                var producer = promise.Job;
                if (producer is null || !ReferenceEquals(producer.Graph, this))
                {
                    throw new JobGraphException($"The input of {job} holds an unresolved promise of a job that was not created in this run.");
                }

                if (!Reaches(edges, producer, job))
                {
                    throw new JobGraphException($"The input of {job} holds a promise of {producer}, which does not run before it; a promise can only be consumed by a job that runs after its producer.");
                }
            }

            consumed[job] = collector.Referenced;
        }

        List<string> written = [];
        try
        {
            foreach (var job in _new)
            {
                await store.AssignJobIdAsync(job.Description, cancellationToken).ConfigureAwait(false);
            }

            foreach (var job in _new)
            {
                Link(job);
            }

            // Consumers first: a job's promise files are all registered before its own body is written.
            for (int i = order.Count - 1; i >= 0; i--)
            {
                var job = order[i];
                if (!job.IsNew)
                {
                    continue;
                }

                var fileIds = new Dictionary<Promise, string>();
                foreach (var promise in consumed[job])
                {
                    string fileId = await store.GetEmptyFileIdAsync(baseName: RuntimeFileNames.Promise, cancellationToken: cancellationToken).ConfigureAwait(false);
                    written.Add(fileId);
                    promise.Job!.PromiseFiles.Add(fileId);
                    fileIds[promise] = fileId;
                }

                byte[] body = Serialize(job, () => JobBodyDocument.Write(new PromiseWriter(fileIds), job.Registration!.Name, job.WriteInput!, job.PromiseFiles));
                if (await JobBodies.AttachAsync(store, job.Description, job.Registration!.Name, body, cancellationToken).ConfigureAwait(false) is { } bodyId)
                {
                    written.Add(bodyId);
                }
            }

            await store.CreateJobsAsync([.. _new.Select(j => j.Description)], cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await DeleteQuietlyAsync(store, written).ConfigureAwait(false);
            throw;
        }

        Link(Root);
        return _new.Count;
    }

    private static byte[] Serialize(JobHandle job, Func<byte[]> write)
    {
        try
        {
            return write();
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new InvalidJobInputException(job.Description.JobStoreId, job.Registration!.Name, "it cannot be serialised", e);
        }
    }

    private static void Link(JobHandle job)
    {
        foreach (var child in job.ChildList)
        {
            job.Description.AddChild(child.Description.JobStoreId);
        }

        foreach (var followOn in job.FollowOnList)
        {
            job.Description.AddFollowOn(followOn.Description.JobStoreId);
        }

        if (job.IsNew)
        {
            job.Description.PredecessorNumber = job.PredecessorCount;
        }
    }

    private static bool Reaches(Dictionary<JobHandle, HashSet<JobHandle>> edges, JobHandle from, JobHandle to)
    {
        var seen = new HashSet<JobHandle>();
        var stack = new Stack<JobHandle>();
        stack.Push(from);
        while (stack.Count > 0)
        {
            var job = stack.Pop();
            foreach (var next in edges[job])
            {
                if (ReferenceEquals(next, to))
                {
                    return true;
                }

                if (seen.Add(next))
                {
                    stack.Push(next);
                }
            }
        }

        return false;
    }

    private static async ValueTask DeleteQuietlyAsync(IJobStore store, List<string> fileIds)
    {
        foreach (string id in fileIds)
        {
            try
            {
                await store.DeleteFileAsync(id, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or JobStoreException or UnauthorizedAccessException)
            {
                // Best effort: the original failure matters more; a restart's clean-up finds what is left.
            }
        }
    }

    private JobHandle CreateNode<TInput>(Type jobType, Type? outputType, bool anyOutput, TInput input, JobRequirements? requirements, string? displayName, bool checkpoint)
    {
        ThrowIfSaved();
        if (!_registry.TryGet(jobType, out var registration))
        {
            throw new UnknownJobTypeException(jobType.FullName ?? jobType.Name, Root.Description.JobStoreId);
        }

        if (registration is not ITypedJobInput<TInput> typed || (!anyOutput && registration.OutputType != outputType))
        {
            throw new ArgumentException($"Job class {jobType.FullName} is registered as '{registration.Name}' with input {registration.InputType.Name} and output {registration.OutputType?.Name ?? "none"}, not input {typeof(TInput).Name}{(anyOutput ? string.Empty : $" and output {outputType?.Name ?? "none"}")}.");
        }

        return AddNode(registration, typed.InputTypeInfo, input, requirements, displayName, checkpoint);
    }

    private JobHandle AddNode<TInput>(JobTypeRegistration registration, JsonTypeInfo<TInput> typeInfo, TInput input, JobRequirements? requirements, string? displayName, bool checkpoint)
    {
        ThrowIfSaved();
        var description = checkpoint
            ? new CheckpointJobDescription(registration.Name, requirements, displayName: displayName)
            : new JobDescription(registration.Name, requirements, displayName: displayName);
        var job = new JobHandle(this, description, registration, json => JsonSerializer.Serialize(json, input, typeInfo));
        lock (Sync)
        {
            ThrowIfSaved();
            _new.Add(job);
        }

        return job;
    }

    /// <summary>Checks roots and checkpoints; returns the edges with implied follow-on edges; throws on a cycle.</summary>
    private Dictionary<JobHandle, HashSet<JobHandle>> Validate()
    {
        List<string> roots = [.. _new.Where(j => j.PredecessorCount == 0).Select(j => j.ToString())];
        if (roots.Count > 0)
        {
            throw new JobGraphRootException([Root.ToString(), .. roots]);
        }

        foreach (var job in _new)
        {
            if (job.IsCheckpoint && (job.ChildList.Count > 0 || job.FollowOnList.Count > 0))
            {
                throw new CheckpointNotLeafException(job.ToString());
            }
        }

        var all = new List<JobHandle>(_new.Count + 1) { Root };
        all.AddRange(_new);
        var edges = all.ToDictionary(j => j, j => new HashSet<JobHandle>(j.ChildList.Concat(j.FollowOnList)));
        foreach (var job in all)
        {
            if (job.FollowOnList.Count == 0)
            {
                continue;
            }

            // A follow-on runs after the whole subtree under the job's children (as in Toil; docs/authoring.md, "Saving the graph").
            var subtree = new HashSet<JobHandle>();
            var stack = new Stack<JobHandle>(job.ChildList);
            while (stack.Count > 0)
            {
                var next = stack.Pop();
                if (!subtree.Add(next))
                {
                    continue;
                }

                foreach (var successor in next.ChildList.Concat(next.FollowOnList))
                {
                    stack.Push(successor);
                }
            }

            foreach (var member in subtree)
            {
                edges[member].UnionWith(job.FollowOnList);
            }
        }

        ThrowOnCycle(all, edges);
        return edges;
    }

    private static void ThrowOnCycle(List<JobHandle> all, Dictionary<JobHandle, HashSet<JobHandle>> edges)
    {
        // 0 = unvisited, 1 = on the current path, 2 = done.
        var state = all.ToDictionary(j => j, _ => 0);
        var path = new List<JobHandle>();
        foreach (var start in all)
        {
            Visit(start);
        }

        void Visit(JobHandle job)
        {
            if (state[job] == 2)
            {
                return;
            }

            if (state[job] == 1)
            {
                int from = path.IndexOf(job);
                throw new JobGraphCycleException([.. path.Skip(from).Select(j => j.ToString()), job.ToString()]);
            }

            state[job] = 1;
            path.Add(job);
            foreach (var next in edges[job])
            {
                Visit(next);
            }

            path.RemoveAt(path.Count - 1);
            state[job] = 2;
        }
    }

    private List<JobHandle> TopologicalOrder(Dictionary<JobHandle, HashSet<JobHandle>> edges)
    {
        var done = new HashSet<JobHandle>();
        var postOrder = new List<JobHandle>();
        Visit(Root);
        postOrder.Reverse();
        return postOrder;

        void Visit(JobHandle job)
        {
            if (!done.Add(job))
            {
                return;
            }

            foreach (var next in edges[job])
            {
                Visit(next);
            }

            postOrder.Add(job);
        }
    }
}
