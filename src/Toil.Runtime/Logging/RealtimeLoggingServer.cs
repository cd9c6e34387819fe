using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Toil.Runtime.Logging;

/// <summary>
/// The leader side of real-time logging: a UDP server that receives the records workers send and re-emits each into
/// <see cref="ILogger"/> under the worker's logger name, with a <see cref="RealtimeLogRecord"/> as state (the worker's
/// timestamp, thread and process). The text of what it re-emits (the message, and the logger name it logs under) is
/// escaped with <see cref="TerminalText"/>, so a datagram cannot drive the operator's terminal or forge a log line;
/// the record's properties keep the values sent. One sender (<c>ip:port</c>) is bounded in rate
/// (<see cref="RealtimeLoggingServerOptions.SenderRecordsPerSecond"/>) and every text in size
/// (<see cref="RealtimeLoggingServerOptions.MaxTextLength"/>); see docs/security.md.
/// The sender already filtered by level, so the leader's level must not filter again:
/// give the <c>toil-rt</c> category <see cref="LogLevel.Trace"/> (<c>AddToilRealtimeLoggingServer</c> does); a
/// provider's own rules still apply. A malformed datagram produces one error naming its sender and is discarded; the
/// server keeps serving. Starts are counted: each <see cref="Start"/> needs one <see cref="StopAsync"/>, and the last
/// stop closes the socket, joins the listener and withdraws the variables.
/// </summary>
/// <remarks>
/// There is no batch system in this library yet: the variables workers need are published as
/// <see cref="EnvironmentVariables"/>; the leader (or a batch system) copies them into each job's environment with
/// <see cref="ApplyTo(IDictionary{string, string})"/> or <see cref="ApplyTo(ProcessStartInfo)"/>, or, with <see cref="RealtimeLoggingServerOptions.SetProcessEnvironment"/>, they are set in
/// this process's environment as Toil does.
/// </remarks>
public sealed class RealtimeLoggingServer : IAsyncDisposable, IDisposable
{
    /// <summary>The size of the receive buffer: the largest UDP payload over IPv4, so no datagram is ever truncated.</summary>
    public const int ReceiveBufferSize = 65536;

    /// <summary>How many distinct logger names the server re-emits under; records with further names go to <c>toil-rt</c>.</summary>
    internal const int MaxLoggerNames = 1024;

    private static readonly IReadOnlyDictionary<string, string> NoVariables = FrozenDictionary<string, string>.Empty;

    private readonly RealtimeLoggingServerOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _log;
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, ILogger> _loggers = new(StringComparer.Ordinal);
    private readonly ILogger _defaultLogger;
    private int _starts;
    private Listener? _listener;
    private IReadOnlyDictionary<string, string> _variables = NoVariables;
    private long _received;
    private long _malformed;
    private long _dropped;

    /// <summary>Initializes a new instance of the <see cref="RealtimeLoggingServer"/> class.</summary>
    /// <param name="options">The options (read once, here).</param>
    /// <param name="loggerFactory">Where received records are re-emitted, and where the server logs.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public RealtimeLoggingServer(IOptions<RealtimeLoggingServerOptions> options, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var o = options.Value;
        o.Validate();
        _options = new RealtimeLoggingServerOptions
        {
            Level = o.Level,
            BindAddress = o.BindAddress,
            Port = o.Port,
            AdvertisedHost = o.AdvertisedHost,
            SetProcessEnvironment = o.SetProcessEnvironment,
            StopTimeout = o.StopTimeout,
            SenderRecordsPerSecond = o.SenderRecordsPerSecond,
            SenderRecordBurst = o.SenderRecordBurst,
            MaxTextLength = o.MaxTextLength,
            DropSummaryInterval = o.DropSummaryInterval,
            TimeProvider = o.TimeProvider,
        };
        _loggerFactory = loggerFactory;
        _log = loggerFactory.CreateLogger<RealtimeLoggingServer>();
        _defaultLogger = loggerFactory.CreateLogger(RealtimeLogger.CategoryName);
    }

    /// <summary>
    /// Gets the variables workers need (<c>TOIL_RT_LOGGING_ADDRESS</c> = <c>host:port</c>, <c>TOIL_RT_LOGGING_LEVEL</c> =
    /// the level as configured) while the server runs; empty when it does not (never started, stopped, or disabled).
    /// </summary>
    public IReadOnlyDictionary<string, string> EnvironmentVariables => Volatile.Read(ref _variables);

    /// <summary>Gets the bound local end point while the server runs; otherwise <see langword="null"/>.</summary>
    public IPEndPoint? LocalEndPoint => Volatile.Read(ref _listener)?.EndPoint;

    /// <summary>Gets the number of starts not yet matched by a stop.</summary>
    public int StartCount
    {
        get
        {
            lock (_gate)
            {
                return _starts;
            }
        }
    }

    /// <summary>Gets the number of datagrams received since the server was created.</summary>
    public long ReceivedCount => Interlocked.Read(ref _received);

    /// <summary>Gets the number of datagrams rejected as malformed since the server was created.</summary>
    public long MalformedCount => Interlocked.Read(ref _malformed);

    /// <summary>
    /// Gets the number of datagrams dropped since the server was created because their sender exceeded
    /// <see cref="RealtimeLoggingServerOptions.SenderRecordsPerSecond"/>; the server summarizes them in one warning per
    /// <see cref="RealtimeLoggingServerOptions.DropSummaryInterval"/>.
    /// </summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <summary>
    /// Starts the server: the first start binds the socket (the OS picks a free port when <see cref="RealtimeLoggingServerOptions.Port"/>
    /// is 0), starts the listener and publishes the variables; a nested start only logs a warning and counts.
    /// With no level, nothing is started and no variables are published (the start still counts).
    /// </summary>
    /// <exception cref="SocketException">The address cannot be bound.</exception>
    /// <exception cref="ObjectDisposedException">The server was disposed.</exception>
    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_starts < 0, this);
            if (_starts > 0)
            {
                _starts++;
                RealtimeLoggingLog.NestedStart(_log, _starts);
                return;
            }

            if (!_options.Enabled)
            {
                _starts = 1;
                RealtimeLoggingLog.Disabled(_log);
                return;
            }

            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Parse(_options.BindAddress), _options.Port));
                TryEnlargeReceiveBuffer(socket);
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            var endPoint = (IPEndPoint)socket.LocalEndPoint!;
            string host = _options.AdvertisedHost
                ?? (endPoint.Address.Equals(IPAddress.Any) ? RoutableAddress.Find() : endPoint.Address).ToString();
            string address = host + ":" + endPoint.Port.ToString(CultureInfo.InvariantCulture);
            var variables = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [RealtimeLoggingRequest.AddressVariable] = address,
                [RealtimeLoggingRequest.LevelVariable] = _options.Level!,
            }.ToFrozenDictionary(StringComparer.Ordinal);

            RealtimeLoggingLog.Starting(_log, address, _options.Level!);
            var cts = new CancellationTokenSource();
            var listener = new Listener(socket, endPoint, address, cts);
            // A dedicated thread with blocking receives: cheaper per datagram than async receives. The receive timeout
            // bounds how long the thread can miss a stop even if closing the socket did not wake it.
            socket.ReceiveTimeout = 500;
            listener.Loop = Task.Factory.StartNew(() => ReceiveLoop(socket, cts.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            Volatile.Write(ref _listener, listener);
            Volatile.Write(ref _variables, variables);
            if (_options.SetProcessEnvironment)
            {
                foreach (var (key, value) in variables)
                {
                    Environment.SetEnvironmentVariable(key, value);
                }
            }

            _starts = 1;
        }
    }

    /// <summary>
    /// Undoes one <see cref="Start"/>. The last one withdraws the variables (and, with
    /// <see cref="RealtimeLoggingServerOptions.SetProcessEnvironment"/>, removes every <c>TOIL_RT_LOGGING_*</c> variable
    /// from the process environment), closes the socket and waits for the listener to end.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait for the listener (the socket is closed anyway).</param>
    /// <returns>A task that completes when the listener has ended (or the server keeps running for an outer start).</returns>
    /// <exception cref="InvalidOperationException">There was no start to undo.</exception>
    /// <exception cref="TimeoutException">The listener did not end within <see cref="RealtimeLoggingServerOptions.StopTimeout"/>.</exception>
    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        Listener? listener;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_starts < 0, this);
            if (_starts == 0)
            {
                throw new InvalidOperationException("Real-time logging cannot be stopped: it was never started, or every start has been stopped already.");
            }

            if (--_starts > 0)
            {
                return Task.CompletedTask;
            }

            listener = TearDown();
        }

        return listener is null ? Task.CompletedTask : JoinAsync(listener, cancellationToken);
    }

    /// <summary>Copies the variables into a job's environment, after removing every <c>TOIL_RT_LOGGING_*</c> variable it held.</summary>
    /// <param name="environment">The environment to update.</param>
    public void ApplyTo(IDictionary<string, string> environment)
    {
        RemoveFrom(environment);
        foreach (var (key, value) in EnvironmentVariables)
        {
            environment[key] = value;
        }
    }

    /// <summary>Copies the variables into the environment of a process about to be started, after removing every <c>TOIL_RT_LOGGING_*</c> variable it held.</summary>
    /// <param name="startInfo">The start information to update.</param>
    public void ApplyTo(ProcessStartInfo startInfo)
    {
        RemoveFrom(startInfo);
        foreach (var (key, value) in EnvironmentVariables)
        {
            startInfo.Environment[key] = value;
        }
    }

    /// <summary>Removes every <c>TOIL_RT_LOGGING_*</c> variable from an environment.</summary>
    /// <param name="environment">The environment to update.</param>
    public static void RemoveFrom(IDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        foreach (string key in environment.Keys.Where(IsRealtimeVariable).ToList())
        {
            environment.Remove(key);
        }
    }

    /// <summary>Removes every <c>TOIL_RT_LOGGING_*</c> variable from the environment of a process about to be started.</summary>
    /// <param name="startInfo">The start information to update.</param>
    public static void RemoveFrom(ProcessStartInfo startInfo)
    {
        ArgumentNullException.ThrowIfNull(startInfo);
        foreach (string key in startInfo.Environment.Keys.Where(IsRealtimeVariable).ToList())
        {
            startInfo.Environment.Remove(key);
        }
    }

    /// <summary>Stops the server whatever the number of starts, and waits (bounded) for the listener.</summary>
    /// <returns>A task that completes when the listener has ended.</returns>
    public async ValueTask DisposeAsync()
    {
        Listener? listener;
        lock (_gate)
        {
            if (_starts < 0)
            {
                return;
            }

            listener = _starts > 0 ? TearDown() : null;
            _starts = -1;
        }

        if (listener is not null)
        {
            await JoinAsync(listener, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Stops the server whatever the number of starts, and waits (bounded) for the listener.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private Listener? TearDown()
    {
        Listener? listener = _listener;
        Volatile.Write(ref _listener, null);
        Volatile.Write(ref _variables, NoVariables);
        if (_options.SetProcessEnvironment)
        {
            foreach (var key in Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(IsRealtimeVariable).ToList())
            {
                Environment.SetEnvironmentVariable(key, null);
            }
        }

        if (listener is not null)
        {
            RealtimeLoggingLog.Stopping(_log, listener.Address);
            listener.Cancellation.Cancel();
            listener.Socket.Dispose();
        }

        return listener;
    }

    private async Task JoinAsync(Listener listener, CancellationToken cancellationToken)
    {
        try
        {
            await listener.Loop!.WaitAsync(_options.StopTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"The real-time logging listener on {listener.Address} did not end within {_options.StopTimeout}.", ex);
        }
        finally
        {
            listener.Cancellation.Dispose();
        }
    }

    private void ReceiveLoop(Socket socket, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[ReceiveBufferSize];
        var from = new SocketAddress(AddressFamily.InterNetwork);
        SocketAddress? lastFrom = null;
        string lastSender = "";
        var limiter = new SenderRateLimiter(_options.SenderRecordsPerSecond, _options.SenderRecordBurst, _options.TimeProvider);
        while (!cancellationToken.IsCancellationRequested)
        {
            if (limiter.SummaryDue(_options.DropSummaryInterval))
            {
                SummarizeDrops(limiter);
            }

            int length;
            try
            {
                length = socket.ReceiveFrom(buffer, SocketFlags.None, from);
            }
            catch (Exception ex) when (ex is ObjectDisposedException || cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
                continue;
            }
            catch (SocketException ex)
            {
                // e.g. an ICMP "port unreachable" reported on the socket; the next datagram is unaffected.
                RealtimeLoggingLog.ReceiveFailed(_log, ex);
                continue;
            }

            Interlocked.Increment(ref _received);
            if (lastFrom is null || !lastFrom.Equals(from))
            {
                // A worker sends from one socket: format its address once, not per datagram.
                lastFrom = new SocketAddress(from.Family, from.Size);
                from.Buffer.Span[..from.Size].CopyTo(lastFrom.Buffer.Span);
                lastSender = new IPEndPoint(IPAddress.Any, 0).Create(from).ToString() ?? "unknown sender";
            }

            // Before decoding: a flood costs the leader a bucket look-up per datagram, not a parse.
            if (!limiter.TryAcquire(lastSender))
            {
                Interlocked.Increment(ref _dropped);
                continue;
            }

            Handle(buffer.AsSpan(0, length), lastSender);
        }

        if (limiter.HasDrops)
        {
            SummarizeDrops(limiter);
        }
    }

    private void SummarizeDrops(SenderRateLimiter limiter)
    {
        var s = limiter.TakeSummary();
        RealtimeLoggingLog.Dropped(_log, s.Dropped, (long)Math.Round(s.Period.TotalSeconds), s.Senders,
            _options.SenderRecordsPerSecond, _options.SenderRecordBurst, s.TopSender, s.TopDropped);
    }

    private void Handle(ReadOnlySpan<byte> payload, string sender)
    {
        RealtimeLogRecord record;
        try
        {
            record = RealtimeDatagramDecoder.Decode(payload, sender, _options.MaxTextLength);
        }
#pragma warning disable CA1031 // Whatever a datagram holds, the server reports it and keeps serving.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Interlocked.Increment(ref _malformed);
            // The reason may quote the datagram.
            RealtimeLoggingLog.Malformed(_log, sender, TerminalText.EscapeLine(RealtimeDatagramDecoder.Cut(ex.Message, RealtimeDatagramDecoder.MaxNameLength)));
            return;
        }

        try
        {
            // The category is printed by text sinks: escaped, on one line. The record keeps the name sent.
            LoggerFor(TerminalText.EscapeLine(record.Name)).Log(record.Level, default, record, null, static (r, _) => r.ToString());
        }
#pragma warning disable CA1031 // A failing sink of the leader must not stop the server.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            RealtimeLoggingLog.EmitFailed(_log, ex, sender);
        }
    }

    /// <summary>The cap keeps a sender inventing names from growing the logger factory's cache without bound.</summary>
    private ILogger LoggerFor(string name) =>
        _loggers.TryGetValue(name, out var logger) ? logger
        : _loggers.Count >= MaxLoggerNames ? _defaultLogger
        : _loggers.GetOrAdd(name, _loggerFactory.CreateLogger);

    private static bool IsRealtimeVariable(string key) => key.StartsWith(RealtimeLoggingRequest.VariablePrefix, StringComparison.Ordinal);

    private static void TryEnlargeReceiveBuffer(Socket socket)
    {
        try
        {
            // Bursts from many workers arrive faster than one loop drains them; the OS caps this at its own maximum.
            socket.ReceiveBufferSize = 4 * 1024 * 1024;
        }
        catch (SocketException)
        {
        }
    }

    private sealed class Listener(Socket socket, IPEndPoint endPoint, string address, CancellationTokenSource cancellation)
    {
        public Socket Socket { get; } = socket;

        public IPEndPoint EndPoint { get; } = endPoint;

        public string Address { get; } = address;

        public CancellationTokenSource Cancellation { get; } = cancellation;

        public Task? Loop { get; set; }
    }
}
