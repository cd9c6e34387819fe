using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Toil.Runtime.Worker;

/// <summary>
/// The line protocol of a serving worker process (<c>worker --serve</c>, docs/batch-systems.md#warm-worker-pool): one
/// JSON request per line on its standard input, one JSON result per line on its standard output. The server moves the
/// jobs' own descriptors 0 and 1 away first (to <c>/dev/null</c> and to standard error), so neither a job nor a process
/// it starts can read a request or write a result.
/// </summary>
internal static class WorkerServeProtocol
{
    /// <summary>The exit code a malformed request line gets (a usage error, as bad arguments of a one-job worker).</summary>
    public const int MalformedRequestExitCode = ToilWorkerEntryPoint.UsageErrorExitCode;

    /// <summary>The longest request line accepted (a longer one is malformed).</summary>
    public const int MaxRequestChars = 1 << 20;

    /// <summary>Serializes a request as one line (no newline inside: JSON escapes it).</summary>
    public static string Format(ServeRequest request) => JsonSerializer.Serialize(request, WorkerServeJsonContext.Default.ServeRequest);

    /// <summary>Serializes a result as one line.</summary>
    public static string Format(ServeResult result) => JsonSerializer.Serialize(result, WorkerServeJsonContext.Default.ServeResult);

    /// <summary>Parses a request line; <paramref name="error"/> says why it is not one.</summary>
    /// <returns>The request, or <see langword="null"/> with <paramref name="id"/> set when the line named one.</returns>
    public static ServeRequest? TryParseRequest(string line, out long id, out string? error)
    {
        id = 0;
        if (line.Length > MaxRequestChars)
        {
            error = $"the request line is longer than {MaxRequestChars} characters";
            return null;
        }

        ServeRequest? request;
        try
        {
            request = JsonSerializer.Deserialize(line, WorkerServeJsonContext.Default.ServeRequest);
        }
        catch (JsonException e)
        {
            error = "the request line is not a JSON request: " + e.Message;
            return null;
        }

        if (request is null)
        {
            error = "the request line is null";
            return null;
        }

        id = request.Id;
        error = request.Id <= 0 ? "id must be positive"
            : string.IsNullOrWhiteSpace(request.JobName) ? "jobName must not be empty"
            : string.IsNullOrWhiteSpace(request.JobStoreLocator) ? "jobStoreLocator must not be empty"
            : string.IsNullOrWhiteSpace(request.JobStoreId) ? "jobStoreId must not be empty"
            : request.Environment?.Keys.FirstOrDefault(n => n.Length == 0 || n.Contains('=', StringComparison.Ordinal) || n.Contains('\0', StringComparison.Ordinal)) is { } bad
                ? $"the environment variable name '{bad}' is not valid"
                : request.Environment?.Values.Any(v => v is null || v.Contains('\0', StringComparison.Ordinal)) == true ? "an environment value is null or holds a NUL"
                : null;
        return error is null ? request : null;
    }

    /// <summary>Parses a result line; <see langword="null"/> when it is not one (the caller treats that as a broken worker).</summary>
    public static ServeResult? TryParseResult(string line)
    {
        try
        {
            return JsonSerializer.Deserialize(line, WorkerServeJsonContext.Default.ServeResult);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>UTF-8 without a byte-order mark, for both directions.</summary>
    public static readonly Encoding Encoding = new UTF8Encoding(false);
}
