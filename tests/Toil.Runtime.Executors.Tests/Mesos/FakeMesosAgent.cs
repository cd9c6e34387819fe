using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Toil.Runtime.Executors.Mesos;

namespace Toil.Runtime.Executors.Tests.Mesos;

/// <summary>
/// A Mesos agent's executor API on 127.0.0.1 (Kestrel, port 0), implementing the documented protocol: request
/// validation (method, content type, accept, IDs, UPDATE rules), a RecordIO event stream whose records are written
/// split at arbitrary byte positions (each piece flushed as its own HTTP chunk), 202 for calls, and <c>/state</c>.
/// </summary>
internal sealed class FakeMesosAgent : IAsyncDisposable
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly WebApplication app;
    private readonly ConcurrentQueue<ReceivedCall> calls = new();
    private readonly Random random = new(12345);
    private readonly Lock gate = new();
    private Subscription? current;
    private int subscriptionCount;

    private FakeMesosAgent(WebApplication app) => this.app = app;

    public string FrameworkId { get; } = "fw-test-1";

    public string ExecutorId { get; } = "toil-4242";

    public string Endpoint { get; private set; } = "";

    /// <summary>When set, every accepted UPDATE is acknowledged on the current stream.</summary>
    public Func<MesosTaskStatus, bool>? AutoAcknowledge { get; set; } = _ => true;

    /// <summary>HTTP status for SUBSCRIBE other than 200, e.g. 503 while "recovering".</summary>
    public HttpStatusCode? RefuseSubscriptions { get; set; }

    /// <summary>Whether <c>/state</c> fails with 500.</summary>
    public bool FailState { get; set; }

    /// <summary>The largest piece a record is split into when written (random cut points).</summary>
    public int MaxPiece { get; set; } = 7;

    public IReadOnlyList<ReceivedCall> Calls => [.. calls];

    public IEnumerable<MesosTaskStatus> Updates => calls.Where(c => c.Call.Type == "UPDATE" && c.Accepted).Select(c => c.Call.UpdateBody!.Status!);

    public IEnumerable<ReceivedCall> Subscribes => calls.Where(c => c.Call.Type == "SUBSCRIBE");

    public static async Task<FakeMesosAgent> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var agent = new FakeMesosAgent(app);
        app.Map("/api/v1/executor", agent.HandleExecutorApiAsync);
        app.MapGet("/state", agent.HandleState);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        agent.Endpoint = new Uri(address).Authority;
        return agent;
    }

    public MesosExecutorOptions Options(bool checkpoint = false) => new()
    {
        FrameworkId = FrameworkId,
        ExecutorId = ExecutorId,
        AgentEndpoint = Endpoint,
        Checkpoint = checkpoint,
        CallTimeout = TimeSpan.FromSeconds(20),
        SubscriptionBackoffMax = TimeSpan.FromMilliseconds(200),
        RecoveryTimeout = TimeSpan.FromSeconds(30),
        ShutdownGracePeriod = TimeSpan.FromSeconds(10),
        NodeInfoIntervalMin = TimeSpan.FromHours(1),
        NodeInfoIntervalMax = TimeSpan.FromHours(1),
    };

    /// <summary>Waits for subscription number <paramref name="n"/> (1-based) to be streaming.</summary>
    public async Task<Subscription> WaitForSubscriptionAsync(int n = 1)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (true)
        {
            lock (gate)
            {
                if (subscriptionCount >= n && current is { } s && s.Number == n)
                {
                    return s;
                }

                if (subscriptionCount > n)
                {
                    throw new InvalidOperationException($"subscription {n} already replaced (now {subscriptionCount})");
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no subscription #{n} within {Bound}");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>Waits for an accepted update matching <paramref name="match"/>.</summary>
    public async Task<MesosTaskStatus> WaitForUpdateAsync(Func<MesosTaskStatus, bool> match, string what)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (true)
        {
            if (Updates.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no update {what} within {Bound}; got: {string.Join(", ", Updates.Select(u => $"{u.TaskId?.Value}:{u.State}"))}");
            }

            await Task.Delay(10);
        }
    }

    public Task<MesosTaskStatus> WaitForTerminalAsync(string taskId) =>
        WaitForUpdateAsync(u => u.TaskId?.Value == taskId && u.State is "TASK_FINISHED" or "TASK_FAILED" or "TASK_KILLED", $"terminal for {taskId}");

    public async Task<ReceivedCall> WaitForCallAsync(Func<ReceivedCall, bool> match, string what)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (true)
        {
            if (calls.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no call {what} within {Bound}");
            }

            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (gate)
        {
            current?.Drop();
        }

        await app.StopAsync();
        await app.DisposeAsync();
    }

    private IResult HandleState() =>
        FailState
            ? Results.Problem("state is broken in this test", statusCode: 500)
            : Results.Text("""{"id":"agent-1","hostname":"localhost","version":"1.11.0","frameworks":[],"completed_frameworks":[{"x":1}],"resources":{"cpus":2.0}}""", "application/json");

    private async Task HandleExecutorApiAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Method != "POST")
        {
            context.Response.StatusCode = 405;
            return;
        }

        if (string.IsNullOrEmpty(request.ContentType))
        {
            await Reply(context, 400, "Expecting 'Content-Type' to be present");
            return;
        }

        if (!request.ContentType.StartsWith("application/json", StringComparison.Ordinal))
        {
            await Reply(context, 415, "Expecting 'Content-Type' of application/json or application/x-protobuf");
            return;
        }

        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        string raw = Encoding.UTF8.GetString(body.ToArray());
        MesosCall? call;
        try
        {
            call = JsonSerializer.Deserialize(raw, MesosJsonContext.Default.MesosCall);
        }
        catch (JsonException e)
        {
            await Reply(context, 400, "Failed to parse body into JSON: " + e.Message);
            return;
        }

        string? problem = Validate(call);
        Subscription? sub;
        lock (gate)
        {
            sub = current;
        }

        bool notSubscribed = call?.Type != "SUBSCRIBE" && (sub is null || sub.Dropped);
        var received = new ReceivedCall(call!, raw, request.ContentType, request.Headers.Accept.ToString(), problem is null && !notSubscribed);
        calls.Enqueue(received);
        if (problem is not null)
        {
            await Reply(context, 400, problem);
            return;
        }

        if (call!.Type == "SUBSCRIBE")
        {
            if (!request.Headers.Accept.ToString().Contains("application/json", StringComparison.Ordinal))
            {
                await Reply(context, 406, "Expecting 'Accept' to allow application/json");
                return;
            }

            if (RefuseSubscriptions is { } refused)
            {
                await Reply(context, (int)refused, "Agent is recovering");
                return;
            }

            await StreamAsync(context);
            return;
        }

        if (notSubscribed)
        {
            await Reply(context, 403, "Executor is not subscribed");
            return;
        }

        context.Response.StatusCode = 202;
        if (call.Type == "UPDATE" && AutoAcknowledge is { } ack && ack(call.UpdateBody!.Status!))
        {
            var status = call.UpdateBody.Status!;
            sub!.Send($$$"""{"type":"ACKNOWLEDGED","acknowledged":{"task_id":{"value":"{{{status.TaskId!.Value}}}"},"uuid":"{{{status.Uuid}}}"}}""");
        }
    }

    private string? Validate(MesosCall? call)
    {
        if (call?.Type is not ("SUBSCRIBE" or "UPDATE" or "MESSAGE" or "HEARTBEAT"))
        {
            return "Expecting 'type' to be present and known";
        }

        if (call.ExecutorId?.Value != ExecutorId || call.FrameworkId?.Value != FrameworkId)
        {
            return "Unknown executor or framework";
        }

        if (call.Type == "SUBSCRIBE" && call.SubscribeBody is null)
        {
            return "Expecting 'subscribe' to be present";
        }

        if (call.Type == "MESSAGE" && call.MessageBody?.Data is null)
        {
            return "Expecting 'message' to be present";
        }

        if (call.Type == "UPDATE")
        {
            var status = call.UpdateBody?.Status;
            if (status is null)
            {
                return "Expecting 'update' to be present";
            }

            byte[] uuid;
            try
            {
                uuid = Convert.FromBase64String(status.Uuid ?? "");
            }
            catch (FormatException)
            {
                return "'uuid' is not base64";
            }

            if (uuid.Length != 16)
            {
                return "'uuid' must be 16 bytes";
            }

            if (status.ExecutorId is not null && status.ExecutorId.Value != ExecutorId)
            {
                return "ExecutorID in status does not match";
            }

            if (status.Source != "SOURCE_EXECUTOR")
            {
                return "Received Call from executor with invalid source";
            }

            if (status.State == "TASK_STAGING")
            {
                return "Received TASK_STAGING from executor";
            }

            if (status.TaskId?.Value is null or "")
            {
                return "Expecting 'task_id'";
            }
        }

        return null;
    }

    private async Task StreamAsync(HttpContext context)
    {
        Subscription sub;
        lock (gate)
        {
            current?.Drop();
            sub = new Subscription(++subscriptionCount);
            current = sub;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        sub.Send("{\"type\":\"SUBSCRIBED\",\"subscribed\":{\"executor_info\":{\"executor_id\":{\"value\":\"" + ExecutorId + "\"},\"name\":\"toil\"},\"framework_info\":{\"id\":{\"value\":\"" + FrameworkId + "\"},\"name\":\"toil\",\"user\":\"u\"},\"agent_info\":{\"hostname\":\"localhost\",\"port\":5051,\"id\":{\"value\":\"agent-1\"}}}}");
        var stream = context.Response.Body;
        try
        {
            await foreach (byte[] frame in sub.Frames.Reader.ReadAllAsync(sub.DropToken))
            {
                int at = 0;
                while (at < frame.Length)
                {
                    int n;
                    lock (random)
                    {
                        n = Math.Min(frame.Length - at, 1 + random.Next(MaxPiece));
                    }

                    await stream.WriteAsync(frame.AsMemory(at, n));
                    await stream.FlushAsync();
                    at += n;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Dropped by the test.
        }

        if (sub.AbortConnection)
        {
            context.Abort();
        }
    }

    private static async Task Reply(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        await context.Response.WriteAsync(message);
    }

    internal sealed record ReceivedCall(MesosCall Call, string Raw, string ContentType, string Accept, bool Accepted);

    internal sealed class Subscription(int number)
    {
        private readonly CancellationTokenSource drop = new();

        public int Number { get; } = number;

        public Channel<byte[]> Frames { get; } = Channel.CreateUnbounded<byte[]>();

        public CancellationToken DropToken => drop.Token;

        public bool Dropped => drop.IsCancellationRequested;

        public bool AbortConnection { get; private set; }

        /// <summary>Queues events, framed as RecordIO, as one byte sequence (so several records may share a chunk).</summary>
        public void Send(params string[] events)
        {
            var frame = new MemoryStream();
            foreach (string json in events)
            {
                byte[] bytes = Encoding.UTF8.GetBytes(json);
                frame.Write(Encoding.ASCII.GetBytes(bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n"));
                frame.Write(bytes);
            }

            Frames.Writer.TryWrite(frame.ToArray());
        }

        public void SendRaw(byte[] bytes) => Frames.Writer.TryWrite(bytes);

        /// <summary>Ends the stream: cleanly (the response completes) or by resetting the connection.</summary>
        public void Drop(bool abortConnection = false)
        {
            AbortConnection = abortConnection;
            drop.Cancel();
        }
    }
}
