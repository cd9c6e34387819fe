using System.Buffers;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Stats;

/// <summary>
/// One worker run's per-job stats records and chain names (the <c>jobs</c> and <c>logs.names</c> of its
/// <see cref="StatsDocument"/>). The first <see cref="InMemoryCount"/> of each are kept as objects, as a short chain's
/// always were; the rest are serialized as they come, one JSON value per line, into spool files in the run's temporary
/// directory, so that a long chain's memory stays flat. At the end the document is composed from both in exactly the
/// bytes <see cref="StatsDocument.ToUtf8Json"/> gives for the same content, and streamed to the job store.
/// </summary>
/// <remarks>
/// A spool file that cannot be created or written (disk full, no permission) is given up: what would have gone to it
/// stays in memory, serialized, so no record is lost and the job is not failed for its statistics.
/// </remarks>
internal sealed class StatsSpool : IDisposable
{
    /// <summary>How many records and names a run keeps as objects before it spills the rest.</summary>
    public const int DefaultInMemoryCount = 1000;

    private const int ChunkSize = 64 * 1024;
    private readonly string _directory;
    private readonly bool _recordNames;
    private readonly Action<Exception>? _spillFailed;
    private readonly List<JobStatsRecord> _jobs = [];
    private readonly List<string> _names = [];
    private JsonLines? _spilledJobs;
    private JsonLines? _spilledNames;

    /// <summary>Creates an empty spool.</summary>
    /// <param name="directory">Where spool files are made (the run's temporary directory); nothing is made for a short chain.</param>
    /// <param name="recordNames">Whether chain names are kept (only a document with <c>logs</c> lists them).</param>
    /// <param name="inMemoryCount">How many records and names stay objects.</param>
    /// <param name="spillFailed">Told, once per spool file, that it could not be written.</param>
    public StatsSpool(string directory, bool recordNames, int inMemoryCount = DefaultInMemoryCount, Action<Exception>? spillFailed = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inMemoryCount);
        _directory = directory;
        _recordNames = recordNames;
        InMemoryCount = inMemoryCount;
        _spillFailed = spillFailed;
    }

    /// <summary>How many records and names stay objects.</summary>
    public int InMemoryCount { get; }

    /// <summary>How many job records were added.</summary>
    public int JobCount => _jobs.Count + (_spilledJobs?.Count ?? 0);

    /// <summary>How many chain names were added (0 when names are not recorded).</summary>
    public int NameCount => _names.Count + (_spilledNames?.Count ?? 0);

    /// <summary>Whether anything went past the in-memory part.</summary>
    public bool Spilled => _spilledJobs is not null || _spilledNames is not null;

    /// <summary>Adds the record of the job body that just ran.</summary>
    /// <param name="record">The finished record; it is not changed afterwards.</param>
    public void AddJob(JobStatsRecord record)
    {
        if (_jobs.Count < InMemoryCount)
        {
            _jobs.Add(record);
            return;
        }

        _spilledJobs ??= new JsonLines(Path.Join(_directory, $"stats-jobs-{Guid.NewGuid():N}.spool"), _spillFailed);
        JsonSerializer.Serialize(_spilledJobs.BeginValue(), record, StatsJsonContext.Default.JobStatsRecord);
        _spilledJobs.EndValue();
    }

    /// <summary>Adds the stats name of the next job in the chain (ignored when names are not recorded).</summary>
    /// <param name="statsName">The name.</param>
    public void AddName(string statsName)
    {
        if (!_recordNames)
        {
            return;
        }

        if (_names.Count < InMemoryCount)
        {
            _names.Add(statsName);
            return;
        }

        _spilledNames ??= new JsonLines(Path.Join(_directory, $"stats-names-{Guid.NewGuid():N}.spool"), _spillFailed);
        _spilledNames.BeginValue().WriteStringValue(statsName);
        _spilledNames.EndValue();
    }

    /// <summary>
    /// Writes <paramref name="document"/> with this spool's records as its <c>jobs</c> and, when it has
    /// <c>logs</c> and this spool has names, this spool's names as its <c>logs.names</c>, to <paramref name="store"/>'s
    /// log inbox: as one buffer when nothing was spilled (a short chain, as before), streamed otherwise.
    /// </summary>
    /// <param name="store">The job store.</param>
    /// <param name="document">Everything else of the document; its <see cref="StatsDocument.Jobs"/> is replaced.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the message is durable.</returns>
    public ValueTask WriteAsync(IJobStore store, StatsDocument document, CancellationToken cancellationToken)
    {
        if (!Spilled)
        {
            document.Jobs = _jobs;
            if (document.Logs is not null && _names.Count > 0)
            {
                document.Logs.Names = _names;
            }

            return store.WriteLogsAsync(document.ToUtf8Json(), cancellationToken);
        }

        return store.WriteLogsAsync((stream, ct) => WriteDocumentAsync(stream, document, ct), cancellationToken);
    }

    /// <summary>Composes the document into <paramref name="output"/>, holding at most a chunk of it in memory.</summary>
    /// <param name="output">Where the UTF-8 JSON goes.</param>
    /// <param name="document">Everything but the jobs (and the names, when this spool has them).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when everything is written to <paramref name="output"/>.</returns>
    public async ValueTask WriteDocumentAsync(Stream output, StatsDocument document, CancellationToken cancellationToken)
    {
        // Property names and order are StatsDocument's; WorkerLogsRecord's for "logs". A test holds these bytes equal to
        // ToUtf8Json's for the same content.
        var writer = new Utf8JsonWriter(output);
        await using (writer.ConfigureAwait(false))
        {
            writer.WriteStartObject();
            writer.WriteNumber("schemaVersion", document.SchemaVersion);
            writer.WriteStartArray("jobs");
            foreach (var record in _jobs)
            {
                JsonSerializer.Serialize(writer, record, StatsJsonContext.Default.JobStatsRecord);
                await FlushIfFullAsync(writer, cancellationToken).ConfigureAwait(false);
            }

            if (_spilledJobs is not null)
            {
                await _spilledJobs.CopyToAsync(writer, cancellationToken).ConfigureAwait(false);
            }

            writer.WriteEndArray();
            writer.WritePropertyName("workers");
            JsonSerializer.Serialize(writer, document.Workers, StatsJsonContext.Default.WorkerStatsRecord);
            if (document.Logs is { } logs)
            {
                writer.WritePropertyName("logs");
                writer.WriteStartObject();
                writer.WriteStartArray("names");
                if (NameCount > 0)
                {
                    foreach (string name in _names)
                    {
                        writer.WriteStringValue(name);
                        await FlushIfFullAsync(writer, cancellationToken).ConfigureAwait(false);
                    }

                    if (_spilledNames is not null)
                    {
                        await _spilledNames.CopyToAsync(writer, cancellationToken).ConfigureAwait(false);
                    }
                }
                else
                {
                    foreach (string name in logs.Names)
                    {
                        writer.WriteStringValue(name);
                    }
                }

                writer.WriteEndArray();
                writer.WriteStartArray("messages");
                foreach (string message in logs.Messages)
                {
                    writer.WriteStringValue(message);
                    await FlushIfFullAsync(writer, cancellationToken).ConfigureAwait(false);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes the spool files.</summary>
    public void Dispose()
    {
        _spilledJobs?.Dispose();
        _spilledNames?.Dispose();
    }

    private static ValueTask FlushIfFullAsync(Utf8JsonWriter writer, CancellationToken cancellationToken) =>
        writer.BytesPending >= ChunkSize ? new ValueTask(writer.FlushAsync(cancellationToken)) : ValueTask.CompletedTask;

    /// <summary>
    /// JSON values, one a line, appended to a file in chunks at known offsets: what a failed write left past the last
    /// good offset is never read, and the values of a chunk that could not be written stay in memory.
    /// </summary>
    private sealed class JsonLines : IDisposable
    {
        private readonly string _path;
        private readonly Action<Exception>? _failed;
        private readonly ArrayBufferWriter<byte> _pending = new(ChunkSize + 1024);
        private readonly Utf8JsonWriter _writer;
        private SafeFileHandle? _file;
        private long _length;
        private bool _givenUp;

        public JsonLines(string path, Action<Exception>? failed)
        {
            _path = path;
            _failed = failed;
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
                _file ??= File.OpenHandle(_path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.DeleteOnClose);
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
