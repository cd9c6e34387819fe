using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using Toil.Runtime.Jobs;

namespace Toil.Runtime.Serialization;

/// <summary>
/// Converts <see cref="JobDescription"/> and <see cref="WorkflowConfig"/> to and from their persisted JSON documents.
/// Every document carries <c>schemaVersion</c>; a corrupt, truncated or unknown-version document is a
/// <see cref="JobRecordFormatException"/> that names the job. Job stores written by third parties use it too, and report
/// that exception to their callers as a <c>CorruptJobRecordException</c> (its constructor takes it), as the stores of
/// this library do: this layer sits below the job stores and does not know their exception types.
/// </summary>
internal static class JobDescriptionSerializer
{
    /// <summary>
    /// The newest job-record schema version, which this library reads and writes. Version 2 added inline bodies
    /// (<see cref="JobBody.Input"/>); a record that holds none is written as version 1, byte for byte as before, so a
    /// release that reads only version 1 still reads it, and refuses a record it could not read by its version.
    /// </summary>
    public const int SchemaVersion = 2;

    /// <summary>The first job-record schema version: bodies in files only.</summary>
    public const int FileBodySchemaVersion = 1;

    /// <summary>The schema version of the workflow configuration document.</summary>
    public const int ConfigSchemaVersion = 1;

    private static readonly SearchValues<char> Surrogates = SearchValues.Create(Enumerable.Range(0xD800, 0x800).Select(c => (char)c).ToArray());

    /// <summary>Serializes a job description to UTF-8 JSON.</summary>
    /// <param name="job">The description.</param>
    /// <returns>The JSON bytes.</returns>
    /// <exception cref="InvalidOperationException">
    /// The description could not be read back (a null ID, a negative counter, an invalid service tree); nothing is
    /// serialized, so a store never persists a record it would later report as corrupt.
    /// </exception>
    public static byte[] Serialize(JobDescription job) =>
        JsonSerializer.SerializeToUtf8Bytes(ToDocument(job), ToilJsonContext.Default.JobDocument);

    /// <summary>
    /// Checks <paramref name="job"/> as <see cref="Serialize"/> does before it writes, and throws what it throws there.
    /// For a job that <see cref="CopyRoundTrips"/>, nothing else can make <see cref="Serialize"/> throw: its strings hold
    /// no surrogates, its numbers are finite.
    /// </summary>
    internal static void EnsureSerializable(JobDescription job)
    {
        ArgumentNullException.ThrowIfNull(job);
        EnsureReadableBack(job);
    }

    /// <summary>
    /// Whether a copy of <paramref name="job"/> (<see cref="JobDescription.CopyAsRecord"/>) equals what
    /// <see cref="Deserialize"/> gives back for <see cref="Serialize"/>'s bytes, for a job that passes
    /// <see cref="EnsureSerializable"/>. It does for the two kinds this serializer writes, unless the job holds what the
    /// JSON does not carry exactly: a walltime (its seconds are a double), accelerators (a kind defaults on reading), a
    /// string with a surrogate (a lone one is written as U+FFFD; pairs are refused too, to keep the check simple), or what
    /// reading rejects (a null ID or name).
    /// </summary>
    internal static bool CopyRoundTrips(JobDescription job)
    {
        Type type = job.GetType();
        if ((type != typeof(JobDescription) && type != typeof(CheckpointJobDescription))
            || job.Requirements.Walltime is not null
            || job.Requirements.Accelerators is not null
            || !Plain(job.JobName) || !Plain(job.UnitName) || !Plain(job.DisplayName) || !Plain(job.JobStoreId)
            || (job.LogJobStoreFileId is { } log && !Plain(log))
            || !Readable(job.Body)
            || !PlainIds(job.PredecessorsFinishedOrNull) || !PlainIds(job.FilesToDeleteOrNull) || !PlainIds(job.FilesToUseOrNull))
        {
            return false;
        }

        if (job is CheckpointJobDescription c && (!Readable(c.Checkpoint) || !PlainIds(c.CheckpointFilesToDeleteOrNull)))
        {
            return false;
        }

        foreach (var phase in job.PhasesOrNull ?? [])
        {
            foreach (string? id in phase)
            {
                if (id is null || !Plain(id))
                {
                    return false;
                }
            }
        }

        foreach (var (host, children) in job.ServiceTreeOrNull ?? [])
        {
            if (!Plain(host) || children is null || !PlainIds(children))
            {
                return false;
            }
        }

        foreach (var n in job.MergedJobNamesOrNull ?? [])
        {
            if (n is null || n.JobName is null || n.UnitName is null || n.DisplayName is null || n.StatsName is null || n.JobStoreId is null
                || !Plain(n.JobName) || !Plain(n.UnitName) || !Plain(n.DisplayName) || !Plain(n.StatsName) || !Plain(n.JobStoreId))
            {
                return false;
            }
        }

        return true;

        static bool Readable(JobBody? body) => body is null || (body.TypeName is not null && Plain(body.TypeName) && (body.FileId is null ? !body.Input.IsEmpty : Plain(body.FileId) && body.Input.IsEmpty));

        static bool Plain(string text) => NoSurrogate(text);
    }

    // Every write of a chained job scans a few dozen IDs and names: a vectorized range search.
    private static bool NoSurrogate(string text) => !text.AsSpan().ContainsAny(Surrogates);

    private static bool PlainIds(List<string>? ids)
    {
        if (ids is null)
        {
            return true;
        }

        foreach (string? id in ids)
        {
            if (id is not null && !NoSurrogate(id))
            {
                return false;
            }
        }

        return true;
    }

    private static bool PlainIds(HashSet<string>? ids)
    {
        if (ids is null)
        {
            return true;
        }

        foreach (string? id in ids)
        {
            if (id is not null && !NoSurrogate(id))
            {
                return false;
            }
        }

        return true;
    }

    private static JobDocument ToDocument(JobDescription job)
    {
        ArgumentNullException.ThrowIfNull(job);
        EnsureReadableBack(job);
        var doc = new JobDocument
        {
            SchemaVersion = job.Body is { IsInline: true } || (job as CheckpointJobDescription)?.Checkpoint is { IsInline: true } ? SchemaVersion : FileBodySchemaVersion,
            Kind = job is CheckpointJobDescription ? "checkpoint" : "job",
            JobStoreId = job.JobStoreId,
            JobName = job.JobName,
            UnitName = job.UnitName,
            DisplayName = job.DisplayName,
            Local = job.Local,
            Requirements = ToDocument(job.Requirements),
            RemainingTryCount = job.RemainingTryCountOverride,
            RetryBackoffSeconds = job.RetryBackoffSecondsOverride,
            PredecessorNumber = job.PredecessorNumber,
            PredecessorsFinished = job.PredecessorsFinishedOrNull is not { Count: > 0 } finished ? null : [.. finished],
            SuccessorPhases = job.PhasesOrNull is { } phases ? [.. phases.Select(p => (List<string?>?)[.. p])] : [[], []],
            ServiceTree = job.ServiceTreeOrNull is not { Count: > 0 } tree ? null : tree.ToDictionary(kv => kv.Key, kv => (List<string?>?)[.. kv.Value], StringComparer.Ordinal),
            Body = ToDocument(job.Body),
            LogJobStoreFileId = job.LogJobStoreFileId,
            FilesToDelete = job.FilesToDeleteOrNull is not { Count: > 0 } deletes ? null : [.. deletes],
            MergedJobNames = job.MergedJobNamesOrNull is not { Count: > 0 } merged ? null : [.. merged.Select(n => new NamesDocument { JobName = n.JobName, UnitName = n.UnitName, DisplayName = n.DisplayName, StatsName = n.StatsName, JobStoreId = n.JobStoreId })],
            FilesToUse = job.FilesToUseOrNull is not { Count: > 0 } uses ? null : [.. uses],
            Version = job.Version,
            VersionWriter = job.VersionWriter,
        };
        if (job is CheckpointJobDescription c)
        {
            doc.Checkpoint = ToDocument(c.Checkpoint);
            doc.CheckpointFilesToDelete = c.CheckpointFilesToDeleteOrNull is not { Count: > 0 } promised ? null : [.. promised];
        }

        return doc;
    }

    /// <summary>Deserializes a job description.</summary>
    /// <param name="utf8Json">The JSON bytes.</param>
    /// <param name="jobId">The ID the record was stored under, for error messages.</param>
    /// <returns>The description (no configuration attached).</returns>
    /// <exception cref="JobRecordFormatException">The document is not a valid job record of a known schema version.</exception>
    public static JobDescription Deserialize(ReadOnlySpan<byte> utf8Json, string jobId)
    {
        JobDocument? doc;
        try
        {
            doc = JsonSerializer.Deserialize(utf8Json, ToilJsonContext.Default.JobDocument);
        }
        catch (JsonException ex)
        {
            throw new JobRecordFormatException(jobId, utf8Json.IsEmpty ? "the record is empty" : $"the record is not valid JSON ({ex.Message})", ex);
        }
        catch (Exception ex) when (IsParseFailure(ex))
        {
            throw new JobRecordFormatException(jobId, $"the record cannot be parsed ({ex.Message})", ex);
        }

        if (doc is null)
        {
            throw new JobRecordFormatException(jobId, "the record is JSON null");
        }

        if (doc.SchemaVersion is not (FileBodySchemaVersion or SchemaVersion))
        {
            throw new JobRecordFormatException(jobId, doc.SchemaVersion == 0
                ? "the record has no schemaVersion"
                : $"unsupported schemaVersion {doc.SchemaVersion} (this library reads {FileBodySchemaVersion} to {SchemaVersion})");
        }

        try
        {
            ValidateShape(doc);
            return FromDocument(doc, jobId);
        }
        catch (Exception ex) when (IsParseFailure(ex))
        {
            // The shape check above names what it knows; anything else the model refuses is still the record's fault.
            throw new JobRecordFormatException(jobId, ex.Message, ex);
        }
    }

    /// <summary>Serializes a workflow configuration.</summary>
    /// <param name="config">The configuration.</param>
    /// <returns>The JSON bytes.</returns>
    public static byte[] SerializeConfig(WorkflowConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var doc = new WorkflowConfigDocument
        {
            SchemaVersion = ConfigSchemaVersion,
            WorkflowId = config.WorkflowId,
            DefaultMemory = config.DefaultMemory.Bytes,
            DefaultCores = config.DefaultCores,
            DefaultDisk = config.DefaultDisk.Bytes,
            DefaultAccelerators = [.. config.DefaultAccelerators.Select(ToDocument)],
            DefaultPreemptible = config.DefaultPreemptible,
            DefaultWalltimeSeconds = config.DefaultWalltime.TotalSeconds,
            RetryCount = config.RetryCount,
            RetryBackoffSeconds = config.RetryBackoffSeconds,
            RetryBackoffFactor = config.RetryBackoffFactor,
            EnableUnlimitedPreemptibleRetries = config.EnableUnlimitedPreemptibleRetries,
            DoubleMemory = config.DoubleMemory,
            RunLocalJobsOnWorkers = config.RunLocalJobsOnWorkers,
            JobAssemblies = [.. config.JobAssemblies],
        };
        return JsonSerializer.SerializeToUtf8Bytes(doc, ToilJsonContext.Default.WorkflowConfigDocument);
    }

    /// <summary>Deserializes a workflow configuration.</summary>
    /// <param name="utf8Json">The JSON bytes.</param>
    /// <param name="locator">The job store's locator, for error messages.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="JobRecordFormatException">The document is not a valid configuration of a known schema version.</exception>
    public static WorkflowConfig DeserializeConfig(ReadOnlySpan<byte> utf8Json, string locator)
    {
        const string Name = "config.json";
        WorkflowConfigDocument? doc;
        try
        {
            doc = JsonSerializer.Deserialize(utf8Json, ToilJsonContext.Default.WorkflowConfigDocument);
        }
        catch (Exception ex) when (IsParseFailure(ex))
        {
            throw new JobRecordFormatException(Name, $"the workflow configuration of {locator} is not valid JSON ({ex.Message})", ex);
        }

        if (doc is null || doc.SchemaVersion != ConfigSchemaVersion || string.IsNullOrEmpty(doc.WorkflowId))
        {
            throw new JobRecordFormatException(Name, $"the workflow configuration of {locator} has an unsupported schemaVersion or no workflowId");
        }

        try
        {
            NoNullElements(doc.DefaultAccelerators, "defaultAccelerators");
            NoNullElements(doc.JobAssemblies, "jobAssemblies");
            return new WorkflowConfig
            {
                WorkflowId = doc.WorkflowId,
                DefaultMemory = NonNegative(doc.DefaultMemory, "defaultMemory"),
                DefaultCores = NonNegative(doc.DefaultCores, "defaultCores"),
                DefaultDisk = NonNegative(doc.DefaultDisk, "defaultDisk"),
                DefaultAccelerators = [.. (doc.DefaultAccelerators ?? []).Select(FromDocument)],
                DefaultPreemptible = doc.DefaultPreemptible,
                DefaultWalltime = TimeSpan.FromSeconds(NonNegative(doc.DefaultWalltimeSeconds, "defaultWalltimeSeconds")),
                RetryCount = (int)NonNegative(doc.RetryCount, "retryCount"),
                RetryBackoffSeconds = NonNegative(doc.RetryBackoffSeconds, "retryBackoffSeconds"),
                RetryBackoffFactor = NonNegative(doc.RetryBackoffFactor, "retryBackoffFactor"),
                EnableUnlimitedPreemptibleRetries = doc.EnableUnlimitedPreemptibleRetries,
                DoubleMemory = doc.DoubleMemory,
                RunLocalJobsOnWorkers = doc.RunLocalJobsOnWorkers,
                JobAssemblies = [.. doc.JobAssemblies ?? []],
            };
        }
        catch (Exception ex) when (IsParseFailure(ex))
        {
            throw new JobRecordFormatException(Name, $"the workflow configuration of {locator} is invalid: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Whether <paramref name="ex"/> is a failure to turn bytes into the model, which makes the record corrupt. Every
    /// exception is, except those that say nothing about the record: running out of memory, a stack overflow guard, a
    /// cancellation, and this serializer's own typed error.
    /// </summary>
    private static bool IsParseFailure(Exception ex) =>
        ex is not (JobRecordFormatException or OutOfMemoryException or InsufficientExecutionStackException or OperationCanceledException);

    /// <summary>
    /// Checks what the source-generated contract cannot say: no list holds a JSON <c>null</c> where the model needs an
    /// object or a string. Lists of IDs are checked where they are copied (<see cref="NoNulls"/>).
    /// </summary>
    private static void ValidateShape(JobDocument doc)
    {
        NoNullElements(doc.MergedJobNames, "mergedJobNames");
        NoNullElements(doc.Requirements?.Accelerators, "requirements.accelerators");
    }

    private static void NoNullElements<T>(List<T>? items, string field)
        where T : class?
    {
        if (items is null)
        {
            return;
        }

        for (int i = 0; i < items.Count; i++)
        {
            if (items[i] is null)
            {
                throw new FormatException($"{field}[{i}] is null");
            }
        }
    }

    private static void EnsureReadableBack(JobDescription job)
    {
        try
        {
            if (string.IsNullOrEmpty(job.JobStoreId))
            {
                throw new FormatException("it has no jobStoreId");
            }

            NonNegative(job.Version, "version");
            NonNegative(job.PredecessorNumber, "predecessorNumber");
            if (job.RemainingTryCountOverride is { } tries)
            {
                NonNegative(tries, "remainingTryCount");
            }

            if (job.RetryBackoffSecondsOverride is { } backoff)
            {
                NonNegative(backoff, "retryBackoffSeconds");
            }

            // Loops, not LINQ: every commit of a chain runs this.
            string? nullIn =
                HasNull(job.FilesToDeleteOrNull) ? "filesToDelete"
                : HasNull(job.FilesToUseOrNull) ? "filesToUse"
                : HasNull(job.PredecessorsFinishedOrNull) ? "predecessorsFinished"
                : job.ServiceTreeOrNull is { Count: > 0 } tree && tree.Values.Any(c => c is null || c.Any(f => f is null)) ? "serviceTree"
                : job is CheckpointJobDescription c && HasNull(c.CheckpointFilesToDeleteOrNull) ? "checkpointFilesToDelete"
                : null;
            if (nullIn is not null)
            {
                throw new FormatException($"{nullIn} contains a null ID");
            }

            ValidateServiceTree(job.ServiceTreeOrNull);
        }
        catch (FormatException ex)
        {
            throw new InvalidOperationException($"Job {job} cannot be persisted: {ex.Message}.", ex);
        }
    }

    private static bool HasNull(List<string>? ids)
    {
        if (ids is null)
        {
            return false;
        }

        foreach (string? id in ids)
        {
            if (id is null)
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasNull(HashSet<string>? ids)
    {
        if (ids is null)
        {
            return false;
        }

        foreach (string? id in ids)
        {
            if (id is null)
            {
                return true;
            }
        }

        return false;
    }

    private static long NonNegative(long value, string field) =>
        value < 0 ? throw new FormatException($"{field} cannot be negative ({value})") : value;

    private static double NonNegative(double value, string field) =>
        value < 0 || !double.IsFinite(value) ? throw new FormatException($"{field} must be a finite, non-negative number ({value})") : value;

    private static List<string> NoNulls(List<string?>? ids, string field)
    {
        if (ids is null)
        {
            return [];
        }

        List<string> result = new(ids.Count);
        foreach (string? id in ids)
        {
            result.Add(id ?? throw new FormatException($"{field} contains a null ID"));
        }

        return result;
    }

    /// <summary>
    /// Every service child must itself be a service (a key), have one parent, and the tree must have no cycle;
    /// otherwise the batch walk that starts services would skip or loop.
    /// </summary>
    private static void ValidateServiceTree(Dictionary<string, List<string>>? tree)
    {
        if (tree is null || tree.Count == 0)
        {
            return;
        }

        var parentOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (host, children) in tree)
        {
            foreach (string child in children)
            {
                if (!tree.ContainsKey(child))
                {
                    throw new FormatException($"serviceTree: the child service '{child}' of '{host}' is not a service of the job");
                }

                if (!parentOf.TryAdd(child, host))
                {
                    throw new FormatException($"serviceTree: the service '{child}' has two parents ('{parentOf[child]}' and '{host}')");
                }
            }
        }

        var reached = new HashSet<string>(tree.Keys.Where(k => !parentOf.ContainsKey(k)), StringComparer.Ordinal);
        var frontier = new Queue<string>(reached);
        while (frontier.TryDequeue(out string? host))
        {
            foreach (string child in tree[host])
            {
                if (reached.Add(child))
                {
                    frontier.Enqueue(child);
                }
            }
        }

        if (reached.Count != tree.Count)
        {
            throw new FormatException($"serviceTree: the services {string.Join(", ", tree.Keys.Where(k => !reached.Contains(k)).Select(k => $"'{k}'"))} form a cycle");
        }
    }

    private static JobDescription FromDocument(JobDocument doc, string jobId)
    {
        if (string.IsNullOrEmpty(doc.JobStoreId))
        {
            throw new FormatException("the record has no jobStoreId");
        }

        if (doc.SuccessorPhases is null || doc.SuccessorPhases.Count < 2)
        {
            throw new FormatException("the record needs at least two successor phases");
        }

        JobDescription job = doc.Kind switch
        {
            "job" => new JobDescription(doc.JobName ?? string.Empty, doc.JobStoreId),
            "checkpoint" => new CheckpointJobDescription(doc.JobName ?? string.Empty, doc.JobStoreId),
            null => throw new FormatException("the record has no kind"),
            _ => throw new FormatException($"unknown job kind '{doc.Kind}'"),
        };
        job.JobStoreId = doc.JobStoreId;
        job.UnitName = doc.UnitName ?? string.Empty;
        job.DisplayName = doc.DisplayName ?? job.JobName;
        job.Local = doc.Local;
        job.Requirements = FromDocument(doc.Requirements);
        job.RemainingTryCountOverride = doc.RemainingTryCount is { } tries ? (int)NonNegative(tries, "remainingTryCount") : null;
        job.RetryBackoffSecondsOverride = doc.RetryBackoffSeconds is { } backoff ? NonNegative(backoff, "retryBackoffSeconds") : null;
        job.PredecessorNumber = (int)NonNegative(doc.PredecessorNumber, "predecessorNumber");
        if (NoNulls(doc.PredecessorsFinished, "predecessorsFinished") is { Count: > 0 } finished)
        {
            job.PredecessorsFinished.UnionWith(finished);
        }

        job.SetSuccessorPhases(doc.SuccessorPhases.Select(p => NoNulls(p ?? throw new FormatException("a successor phase is null"), "successorPhases")));
        foreach (var (host, children) in doc.ServiceTree ?? [])
        {
            job.ServiceTree[host] = NoNulls(children, "serviceTree");
        }

        ValidateServiceTree(job.ServiceTreeOrNull);

        if (doc.Body is not null)
        {
            job.AttachBody(FromDocument(doc.Body, "body", doc.SchemaVersion));
        }

        job.LogJobStoreFileId = doc.LogJobStoreFileId;
        if (NoNulls(doc.FilesToDelete, "filesToDelete") is { Count: > 0 } deletes)
        {
            job.FilesToDelete.AddRange(deletes);
        }

        foreach (var n in doc.MergedJobNames ?? [])
        {
            job.MergedJobNames.Add(new JobNames(n.JobName ?? string.Empty, n.UnitName ?? string.Empty, n.DisplayName ?? string.Empty, n.StatsName ?? string.Empty, n.JobStoreId ?? throw new FormatException("a merged job name has no jobStoreId")));
        }

        if (NoNulls(doc.FilesToUse, "filesToUse") is { Count: > 0 } uses)
        {
            job.FilesToUse.UnionWith(uses);
        }

        job.Version = NonNegative(doc.Version, "version");
        job.VersionWriter = doc.VersionWriter;
        if (job is CheckpointJobDescription c)
        {
            c.Checkpoint = doc.Checkpoint is null ? null : FromDocument(doc.Checkpoint, "checkpoint", doc.SchemaVersion);
            if (NoNulls(doc.CheckpointFilesToDelete, "checkpointFilesToDelete") is { Count: > 0 } promised)
            {
                c.CheckpointFilesToDelete.AddRange(promised);
            }
        }

        _ = jobId;
        return job;
    }

    private static JobBody FromDocument(BodyDocument doc, string field, int schemaVersion)
    {
        string typeName = doc.TypeName ?? throw new FormatException($"{field} has no typeName");
        return (doc.FileId, doc.Input) switch
        {
            ({ } fileId, null) => new JobBody(typeName, fileId),
            (null, { Length: > 0 } input) when schemaVersion >= SchemaVersion => JobBody.Owning(typeName, input),
            (null, { Length: > 0 }) => throw new FormatException($"{field} has an inline input, which schemaVersion {schemaVersion} does not allow"),
            (null, _) => throw new FormatException($"{field} has no fileId and no input"),
            _ => throw new FormatException($"{field} has both a fileId and an input"),
        };
    }

    private static BodyDocument? ToDocument(JobBody? body) =>
        body is null ? null : new BodyDocument { TypeName = body.TypeName, FileId = body.FileId, Input = body.IsInline ? WholeArray(body.Input) : null };

    // An inline body's bytes are its own array (JobBody.Owning, or Inline's copy): written without another copy.
    private static byte[] WholeArray(ReadOnlyMemory<byte> bytes) =>
        MemoryMarshal.TryGetArray(bytes, out ArraySegment<byte> segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length ? segment.Array : bytes.ToArray();

    private static RequirementsDocument? ToDocument(JobRequirements r) =>
        r == JobRequirements.None ? null : new RequirementsDocument
        {
            Memory = r.Memory?.Bytes,
            Cores = r.Cores,
            Disk = r.Disk?.Bytes,
            Accelerators = r.Accelerators is null ? null : [.. r.Accelerators.Select(ToDocument)],
            Preemptible = r.Preemptible,
            WalltimeSeconds = r.Walltime?.TotalSeconds,
        };

    private static JobRequirements FromDocument(RequirementsDocument? doc) =>
        doc is null ? JobRequirements.None : new JobRequirements
        {
            Memory = doc.Memory is { } m ? NonNegative(m, "memory") : null,
            Cores = doc.Cores,
            Disk = doc.Disk is { } d ? NonNegative(d, "disk") : null,
            Accelerators = doc.Accelerators is null ? null : [.. doc.Accelerators.Select(FromDocument)],
            Preemptible = doc.Preemptible,
            Walltime = doc.WalltimeSeconds is { } w ? TimeSpan.FromSeconds(w) : null,
        };

    private static AcceleratorDocument ToDocument(AcceleratorRequirement a) => new() { Count = a.Count, Kind = a.Kind, Model = a.Model, Brand = a.Brand, Api = a.Api };

    private static AcceleratorRequirement FromDocument(AcceleratorDocument a) =>
        a.Count < 1 ? throw new FormatException("an accelerator count must be at least 1") : new(a.Count, a.Kind ?? "gpu", a.Model, a.Brand, a.Api);
}
