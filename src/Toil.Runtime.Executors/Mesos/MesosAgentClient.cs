using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Toil.Runtime.Executors.Mesos;

/// <summary>HTTP access to one agent's executor API: the subscription (a long-lived streaming response), calls on
/// separate connections, and <c>/state</c>. Every request except reading the event stream is bounded by the call timeout.</summary>
internal sealed class MesosAgentClient : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly HttpClient http;
    private readonly TimeSpan callTimeout;
    private readonly string? token;

    public MesosAgentClient(MesosExecutorOptions options, HttpMessageHandler? handler = null)
    {
        if (!MesosExecutorEnvironment.TryParseEndpoint(options.AgentEndpoint, out Uri? baseUri))
        {
            throw new ArgumentException($"agent endpoint must be host:port (was '{options.AgentEndpoint}')", nameof(options));
        }

        BaseUri = baseUri!;
        callTimeout = options.CallTimeout;
        token = options.AuthenticationToken;
        handler ??= new SocketsHttpHandler
        {
            ConnectTimeout = options.CallTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        };

        // Bounds are applied per request; the subscription response is read for as long as the executor lives.
        http = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public Uri BaseUri { get; }

    public Uri ExecutorApi => new(BaseUri, "api/v1/executor");

    /// <summary>Sends SUBSCRIBE and returns the response once its headers arrived (the body is the event stream).</summary>
    public async Task<HttpResponseMessage> SubscribeAsync(MesosCall call, CancellationToken cancellationToken)
    {
        using var request = CallRequest(call);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var cts = Bounded(cancellationToken);
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the agent did not answer SUBSCRIBE within {callTimeout}");
        }
    }

    /// <summary>Posts a call that is not SUBSCRIBE.</summary>
    /// <returns>The HTTP status and, when not 202 Accepted, the response body.</returns>
    /// <exception cref="HttpRequestException">The agent could not be reached.</exception>
    /// <exception cref="TimeoutException">The agent did not answer within the call timeout.</exception>
    public async Task<(HttpStatusCode Status, string Body)> PostAsync(MesosCall call, CancellationToken cancellationToken)
    {
        using var request = CallRequest(call);
        using var cts = Bounded(cancellationToken);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cts.Token).ConfigureAwait(false);
            string body = response.StatusCode == HttpStatusCode.Accepted
                ? string.Empty
                : await response.Content.ReadAsStringAsync(cts.Token).ConfigureAwait(false);
            return (response.StatusCode, body);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the agent did not answer a {call.Type} call within {callTimeout}");
        }
    }

    /// <summary>Fetches the agent's <c>/state</c> document.</summary>
    public async Task<JsonDocument> GetStateAsync(CancellationToken cancellationToken)
    {
        using var cts = Bounded(cancellationToken);
        try
        {
            using var response = await http.GetAsync(new Uri(BaseUri, "state"), cts.Token).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            var stream = await response.Content.ReadAsStreamAsync(cts.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return await JsonDocument.ParseAsync(stream, default, cts.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the agent did not answer /state within {callTimeout}");
        }
    }

    public void Dispose() => http.Dispose();

    private HttpRequestMessage CallRequest(MesosCall call)
    {
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(call, MesosJsonContext.Default.MesosCall);
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = Json;
        var request = new HttpRequestMessage(HttpMethod.Post, ExecutorApi) { Content = content };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    private CancellationTokenSource Bounded(CancellationToken cancellationToken)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(callTimeout);
        return cts;
    }
}
