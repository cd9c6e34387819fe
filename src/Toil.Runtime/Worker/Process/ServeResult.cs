using System.Text.Json.Serialization;

namespace Toil.Runtime.Worker;

/// <summary>The outcome of one request: the exit code a one-job worker process would have exited with.</summary>
/// <param name="Id">The request's number (0 when a malformed line named none).</param>
/// <param name="ExitCode">The exit code (docs/decisions.md#exit-codes); <see cref="WorkerServeProtocol.MalformedRequestExitCode"/> for a malformed line.</param>
/// <param name="Error">Why the line was malformed; <see langword="null"/> for a job that ran.</param>
internal sealed record ServeResult(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("exitCode")] int ExitCode,
    [property: JsonPropertyName("error")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null);
