using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Toil.Runtime.Logging;

/// <summary>
/// The worker side of real-time logging: an <see cref="ILoggerProvider"/> that sends each record of the
/// <c>toil-rt</c> logger (and of its children <c>toil-rt.*</c>) at or above the leader's level to the leader as one
/// UDP datagram — JSON with Toil's field names, the message already rendered, <c>args</c> empty. Other categories are
/// not sent. Add it to any <see cref="ILoggerFactory"/> beside the worker's own providers so the records reach the
/// worker's log too; <see cref="Microsoft.Extensions.Logging.ToilRealtimeLoggingBuilderExtensions.AddToilRealtimeLogging(ILoggingBuilder)"/> does that
/// and sets the <c>toil-rt</c> level for every provider. Thread-safe. Logging never throws: a record too large for one
/// datagram is cut to fit and marked, and a send failure is counted in <see cref="FailedCount"/>.
/// </summary>
[ProviderAlias("ToilRealtime")]
public sealed class RealtimeLoggerProvider : ILoggerProvider
{
    private readonly RealtimeDatagramSender? _sender;
    private readonly long _startTimestamp;
    private readonly string _processName;
    private long _sent;
    private long _cut;
    private long _unsendable;
    private volatile bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="RealtimeLoggerProvider"/> class with default options.</summary>
    /// <param name="request">What the leader asked for (usually <see cref="RealtimeLoggingRequest.FromEnvironment"/>).</param>
    public RealtimeLoggerProvider(RealtimeLoggingRequest request)
        : this(request, new RealtimeLoggerProviderOptions())
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RealtimeLoggerProvider"/> class.</summary>
    /// <param name="request">What the leader asked for (usually <see cref="RealtimeLoggingRequest.FromEnvironment"/>).</param>
    /// <param name="options">The options.</param>
    /// <exception cref="ArgumentException"><paramref name="options"/> are invalid.</exception>
    public RealtimeLoggerProvider(RealtimeLoggingRequest request, RealtimeLoggerProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Request = request;
        MaxDatagramSize = options.MaxDatagramSize;
        TimeProvider = options.TimeProvider;
        _startTimestamp = TimeProvider.GetTimestamp();
        using (var current = Process.GetCurrentProcess())
        {
            _processName = current.ProcessName;
        }

        if (request.SendsRecords)
        {
            _sender = new RealtimeDatagramSender(request.Host!, request.Port, TimeProvider);
        }
    }

    /// <summary>Gets the request the provider was built with.</summary>
    public RealtimeLoggingRequest Request { get; }

    /// <summary>Gets the number of records sent (including cut ones).</summary>
    public long SentCount => Interlocked.Read(ref _sent);

    /// <summary>Gets the number of records that were too large for one datagram and were sent cut.</summary>
    public long CutCount => Interlocked.Read(ref _cut);

    /// <summary>Gets the number of records that could not be sent (the leader unreachable, the host unknown, ...).</summary>
    public long FailedCount => Interlocked.Read(ref _unsendable) + (_sender?.Failures ?? 0);

    internal int MaxDatagramSize { get; }

    internal TimeProvider TimeProvider { get; }

    internal bool Sends => _sender is not null && !_disposed;

    /// <summary>Gets a value indicating whether records of a logger category are sent: <c>toil-rt</c> and <c>toil-rt.*</c>.</summary>
    /// <param name="categoryName">The category.</param>
    /// <returns><see langword="true"/> for the real-time categories.</returns>
    internal static bool IsRealtimeCategory(string categoryName)
    {
        ArgumentNullException.ThrowIfNull(categoryName);
        return categoryName.StartsWith(RealtimeLogger.CategoryName, StringComparison.Ordinal) &&
               (categoryName.Length == RealtimeLogger.CategoryName.Length || categoryName[RealtimeLogger.CategoryName.Length] == '.');
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName)
    {
        ArgumentNullException.ThrowIfNull(categoryName);
        return IsRealtimeCategory(categoryName) && _sender is not null
            ? new RealtimeSendingLogger(this, categoryName)
            : NullLogger.Instance;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _disposed = true;
        _sender?.Dispose();
    }

    internal void Send(string category, LogLevel level, string message, Exception? exception)
    {
        DateTimeOffset now = TimeProvider.GetUtcNow();
        double created = (now - DateTimeOffset.UnixEpoch).Ticks / (double)TimeSpan.TicksPerSecond;
        int levelNumber = ToilLogLevel.FromLogLevel(level);
        var datagram = new OutgoingDatagram
        {
            Name = category,
            Msg = message,
            LevelName = ToilLogLevel.GetName(levelNumber),
            LevelNo = levelNumber,
            ExcText = exception?.ToString(),
            Created = created,
            Msecs = now.Millisecond,
            RelativeCreated = TimeProvider.GetElapsedTime(_startTimestamp).TotalMilliseconds,
            Thread = Environment.CurrentManagedThreadId,
            ThreadName = ThreadNames.Current(),
            ProcessName = _processName,
            Process = Environment.ProcessId,
        };

        byte[]? payload = RealtimeDatagramEncoder.Encode(datagram, MaxDatagramSize, out bool cut);
        if (payload is null)
        {
            Interlocked.Increment(ref _unsendable);
            return;
        }

        if (_sender!.TrySend(payload))
        {
            Interlocked.Increment(ref _sent);
            if (cut)
            {
                Interlocked.Increment(ref _cut);
            }
        }
    }

    internal void CountUnsendable() => Interlocked.Increment(ref _unsendable);
}
