using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Win32.SafeHandles;

namespace Toil.Runtime.Stats;

/// <summary>
/// The lists of one worker run's <see cref="StatsDocument"/> that grow with its chain: the per-job records
/// (<c>jobs</c>), the messages and user streams jobs send to the leader (<c>workers.logs_to_leader</c> and
/// <c>workers.logging_user_streams</c>; every job sends at least its disk use) and the chain's names
/// (<c>logs.names</c>). The first <see cref="InMemoryCount"/> of each are kept as objects, as a short chain's
/// always were; the rest are serialized as they come, one JSON value per line, into spool files in the run's temporary
/// directory, so that a long chain's memory stays flat. At the end the document is composed from both in exactly the
/// bytes <see cref="StatsDocument.ToUtf8Json"/> gives for the same content, and streamed to whatever the caller writes it
/// to (the worker: its job store's log inbox; this layer knows no job store).
/// </summary>
/// <remarks>
/// A spool file that cannot be created or written (disk full, no permission) is given up: what would have gone to it
/// stays in memory, serialized, so no record is lost and the job is not failed for its statistics.
/// </remarks>
internal sealed class StatsSpool : IDisposable
{
    /// <summary>How many items of each list a run keeps as objects before it spills the rest.</summary>
    public const int DefaultInMemoryCount = 1000;

    private const int ChunkSize = 64 * 1024;
    private readonly bool _recordNames;
    private readonly SpooledList<JobStatsRecord> _jobs;
    private readonly SpooledList<string> _names;
    private readonly SpooledList<LeaderMessageRecord> _leaderMessages;
    private readonly SpooledList<UserStreamRecord> _userStreams;

    /// <summary>Creates an empty spool.</summary>
    /// <param name="directory">Where spool files are made (the run's temporary directory); nothing is made for a short chain.</param>
    /// <param name="recordNames">Whether chain names are kept (only a document with <c>logs</c> lists them).</param>
    /// <param name="inMemoryCount">How many items of each list stay objects.</param>
    /// <param name="spillFailed">Told, once per spool file, that it could not be written.</param>
    /// <param name="ensureDirectory">Makes <paramref name="directory"/> before the first spool file (a run makes its directory only when needed), or <see langword="null"/>.</param>
    public StatsSpool(string directory, bool recordNames, int inMemoryCount = DefaultInMemoryCount, Action<Exception>? spillFailed = null, Action? ensureDirectory = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inMemoryCount);
        _recordNames = recordNames;
        InMemoryCount = inMemoryCount;
        _jobs = new(directory, "jobs", inMemoryCount, StatsJsonContext.Default.JobStatsRecord, StatsJsonContext.Default.ListJobStatsRecord, spillFailed, ensureDirectory);
        _names = new(directory, "names", inMemoryCount, StatsJsonContext.Default.String, StatsJsonContext.Default.ListString, spillFailed, ensureDirectory);
        _leaderMessages = new(directory, "leader", inMemoryCount, StatsJsonContext.Default.LeaderMessageRecord, StatsJsonContext.Default.ListLeaderMessageRecord, spillFailed, ensureDirectory);
        _userStreams = new(directory, "streams", inMemoryCount, StatsJsonContext.Default.UserStreamRecord, StatsJsonContext.Default.ListUserStreamRecord, spillFailed, ensureDirectory);
    }

    /// <summary>How many items of each list stay objects.</summary>
    public int InMemoryCount { get; }

    /// <summary>How many job records were added.</summary>
    public int JobCount => _jobs.Count;

    /// <summary>How many chain names were added (0 when names are not recorded).</summary>
    public int NameCount => _names.Count;

    /// <summary>How many messages to the leader were added.</summary>
    public int LeaderMessageCount => _leaderMessages.Count;

    /// <summary>Whether anything went past the in-memory part.</summary>
    public bool Spilled => _jobs.Spilled || _names.Spilled || _leaderMessages.Spilled || _userStreams.Spilled;

    /// <summary>Adds the record of the job body that just ran.</summary>
    /// <param name="record">The finished record; it is not changed afterwards.</param>
    public void AddJob(JobStatsRecord record) => _jobs.Add(record);

    /// <summary>Adds the stats name of the next job in the chain (ignored when names are not recorded).</summary>
    /// <param name="statsName">The name.</param>
    public void AddName(string statsName)
    {
        if (_recordNames)
        {
            _names.Add(statsName);
        }
    }

    /// <summary>Adds a message a job sent to the leader (<c>workers.logs_to_leader</c>).</summary>
    /// <param name="message">The message; it is not changed afterwards.</param>
    public void AddLeaderMessage(LeaderMessageRecord message) => _leaderMessages.Add(message);

    /// <summary>Adds a user stream a job sent to the leader (<c>workers.logging_user_streams</c>).</summary>
    /// <param name="stream">The stream; it is not changed afterwards.</param>
    public void AddUserStream(UserStreamRecord stream) => _userStreams.Add(stream);

    /// <summary>
    /// When nothing was spilled (a short chain), puts this spool's lists into <paramref name="document"/> (its records as
    /// <c>jobs</c>, its messages and streams as <c>workers.logs_to_leader</c> and <c>workers.logging_user_streams</c> and,
    /// when it has <c>logs</c> and this spool has names, its names as <c>logs.names</c>), so the document can be written
    /// as one buffer. Otherwise leaves it as it is: <see cref="WriteDocumentAsync"/> streams it with the spilled lists.
    /// </summary>
    /// <param name="document">Everything else of the document; the lists named above are replaced.</param>
    /// <returns>Whether <paramref name="document"/> is now complete.</returns>
    public bool TryCompleteInMemory(StatsDocument document)
    {
        if (Spilled)
        {
            return false;
        }

        document.Jobs = _jobs.Head;
        document.Workers.LogsToLeader = _leaderMessages.Head;
        document.Workers.LoggingUserStreams = _userStreams.Head;
        if (document.Logs is not null && _names.Count > 0)
        {
            document.Logs.Names = _names.Head;
        }

        return true;
    }

    /// <summary>Composes the document into <paramref name="output"/>, holding at most a chunk of it in memory.</summary>
    /// <param name="output">Where the UTF-8 JSON goes.</param>
    /// <param name="document">Everything but this spool's lists (see <see cref="TryCompleteInMemory"/>).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when everything is written to <paramref name="output"/>.</returns>
    public async ValueTask WriteDocumentAsync(Stream output, StatsDocument document, CancellationToken cancellationToken)
    {
        // Property names, order and null handling are those of StatsDocument, WorkerStatsRecord and WorkerLogsRecord
        // (JsonSourceGenerationOptions: nulls omitted). A test holds these bytes equal to ToUtf8Json's for the same content.
        var writer = new Utf8JsonWriter(output);
        await using (writer.ConfigureAwait(false))
        {
            writer.WriteStartObject();
            writer.WriteNumber("schemaVersion", document.SchemaVersion);
            writer.WritePropertyName("jobs");
            await _jobs.WriteArrayAsync(writer, cancellationToken).ConfigureAwait(false);

            var workers = document.Workers;
            writer.WriteStartObject("workers");
            writer.WritePropertyName("logs_to_leader");
            await _leaderMessages.WriteArrayAsync(writer, cancellationToken).ConfigureAwait(false);
            writer.WritePropertyName("logging_user_streams");
            await _userStreams.WriteArrayAsync(writer, cancellationToken).ConfigureAwait(false);
            if (workers.RequestedCores is { } cores)
            {
                writer.WriteNumber("requested_cores", cores);
            }

            WriteIfSet(writer, "time", workers.Time);
            WriteIfSet(writer, "clock", workers.Clock);
            WriteIfSet(writer, "memory", workers.Memory);
            WriteIfSet(writer, "disk", workers.Disk);
            if (workers.JobsRun is { } jobsRun)
            {
                writer.WriteNumber("jobs_run", jobsRun);
            }

            writer.WriteEndObject();
            if (document.Logs is { } logs)
            {
                writer.WriteStartObject("logs");
                writer.WritePropertyName("names");
                if (_names.Count > 0)
                {
                    await _names.WriteArrayAsync(writer, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await WriteStringsAsync(writer, logs.Names, cancellationToken).ConfigureAwait(false);
                }

                writer.WritePropertyName("messages");
                await WriteStringsAsync(writer, logs.Messages, cancellationToken).ConfigureAwait(false);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes the spool files.</summary>
    public void Dispose()
    {
        _jobs.Dispose();
        _names.Dispose();
        _leaderMessages.Dispose();
        _userStreams.Dispose();
    }

    private static void WriteIfSet(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static async ValueTask WriteStringsAsync(Utf8JsonWriter writer, List<string> values, CancellationToken cancellationToken)
    {
        writer.WriteStartArray();
        foreach (string value in values)
        {
            writer.WriteStringValue(value);
            await FlushIfFullAsync(writer, cancellationToken).ConfigureAwait(false);
        }

        writer.WriteEndArray();
    }

    private static ValueTask FlushIfFullAsync(Utf8JsonWriter writer, CancellationToken cancellationToken) =>
        writer.BytesPending >= ChunkSize ? new ValueTask(writer.FlushAsync(cancellationToken)) : ValueTask.CompletedTask;

    /// <summary>One list of the document: the first items as objects, the rest serialized to a spool file.</summary>
    private sealed class SpooledList<T>(string directory, string kind, int inMemoryCount, JsonTypeInfo<T> typeInfo, JsonTypeInfo<List<T>> listTypeInfo, Action<Exception>? spillFailed, Action? ensureDirectory) : IDisposable
    {
        private JsonLines? _spilled;

        public List<T> Head { get; } = [];

        public int Count => Head.Count + (_spilled?.Count ?? 0);

        public bool Spilled => _spilled is not null;

        public void Add(T item)
        {
            if (Head.Count < inMemoryCount)
            {
                Head.Add(item);
                return;
            }

            _spilled ??= new JsonLines(Path.Join(directory, $"stats-{kind}-{Guid.NewGuid():N}.spool"), spillFailed, ensureDirectory);
            JsonSerializer.Serialize(_spilled.BeginValue(), item, typeInfo);
            _spilled.EndValue();
        }

        public async ValueTask WriteArrayAsync(Utf8JsonWriter writer, CancellationToken cancellationToken)
        {
            if (_spilled is null)
            {
                // The same bytes in one call (a serializer call flushes the writer to the stream: once, not per item).
                JsonSerializer.Serialize(writer, Head, listTypeInfo);
                return;
            }

            writer.WriteStartArray();
            foreach (var item in Head)
            {
                JsonSerializer.Serialize(writer, item, typeInfo);
                await FlushIfFullAsync(writer, cancellationToken).ConfigureAwait(false);
            }

            if (_spilled is not null)
            {
                await _spilled.CopyToAsync(writer, cancellationToken).ConfigureAwait(false);
            }

            writer.WriteEndArray();
        }

        public void Dispose() => _spilled?.Dispose();
    }

    /// <summary>
    /// JSON values, one a line, appended to a file in chunks at known offsets: what a failed write left past the last
    /// good offset is never read, and the values of a chunk that could not be written stay in memory.
    /// </summary>
    private sealed class JsonLines : IDisposable
    {
        private readonly string _path;
        private readonly Action<Exception>? _failed;
        private readonly Action? _ensureDirectory;
        private readonly ArrayBufferWriter<byte> _pending = new(ChunkSize + 1024);
        private readonly Utf8JsonWriter _writer;
        private SafeFileHandle? _file;
        private long _length;
        private bool _givenUp;

        public JsonLines(string path, Action<Exception>? failed, Action? ensureDirectory)
        {
            _path = path;
            _failed = failed;
            _ensureDirectory = ensureDirectory;
            _writer = new Utf8JsonWriter(_pending);
        }

        public int Count { get; private set; }

        public Utf8JsonWriter BeginValue()
        {
            _writer.Reset();
            return _writer;
        }

        public void EndValue()
        {
            _writer.Flush();
            _pending.Write("\n"u8);
            Count++;
            if (_pending.WrittenCount >= ChunkSize && !_givenUp)
            {
                Drain();
            }
        }

        /// <summary>Writes every value, in order, as raw JSON values of <paramref name="output"/>'s current array.</summary>
        public async ValueTask CopyToAsync(Utf8JsonWriter output, CancellationToken cancellationToken)
        {
            if (_file is not null && _length > 0)
            {
                byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
                try
                {
                    long offset = 0;
                    int filled = 0;
                    while (offset < _length)
                    {
                        if (filled == buffer.Length)
                        {
                            // A value longer than the buffer (a very long job name): grow to hold it.
                            byte[] larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                            buffer.AsSpan(0, filled).CopyTo(larger);
                            ArrayPool<byte>.Shared.Return(buffer);
                            buffer = larger;
                        }

                        int want = (int)Math.Min(buffer.Length - filled, _length - offset);
                        int read = RandomAccess.Read(_file, buffer.AsSpan(filled, want), offset);
                        if (read <= 0)
                        {
                            throw new IOException($"The stats spool '{_path}' ended at {offset} bytes; {_length} were written.");
                        }

                        offset += read;
                        filled += read;
                        int consumed = WriteLines(output, buffer.AsSpan(0, filled));
                        buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                        filled -= consumed;
                        if (output.BytesPending >= ChunkSize)
                        {
                            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                        }
                    }

                    if (filled != 0)
                    {
                        throw new IOException($"The stats spool '{_path}' ends inside a value.");
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }

            WriteLines(output, _pending.WrittenSpan);
            await FlushIfFullAsync(output, cancellationToken).ConfigureAwait(false);
        }

        public void Dispose()
        {
            _writer.Dispose();
            _file?.Dispose();
        }

        /// <summary>Writes each complete line of <paramref name="lines"/>; returns how many bytes they took.</summary>
        private static int WriteLines(Utf8JsonWriter output, ReadOnlySpan<byte> lines)
        {
            int consumed = 0;
            while (lines[consumed..].IndexOf((byte)'\n') is int end and >= 0)
            {
                output.WriteRawValue(lines.Slice(consumed, end), skipInputValidation: true);
                consumed += end + 1;
            }

            return consumed;
        }

        private void Drain()
        {
            try
            {
                if (_file is null)
                {
                    _ensureDirectory?.Invoke();
                    _file = File.OpenHandle(_path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.DeleteOnClose);
                }

                RandomAccess.Write(_file, _pending.WrittenSpan, _length);
                _length += _pending.WrittenCount;
                _pending.ResetWrittenCount();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _givenUp = true;
                _failed?.Invoke(ex);
            }
        }
    }
}
