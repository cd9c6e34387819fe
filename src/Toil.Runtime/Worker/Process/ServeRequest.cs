using System.Text.Json.Serialization;

namespace Toil.Runtime.Worker;

/// <summary>One job for a serving worker: what a one-job worker gets on its command line, plus environment additions.</summary>
/// <param name="Id">The request's number, echoed by its result (positive).</param>
/// <param name="JobName">The job's name, for logging only.</param>
/// <param name="JobStoreLocator">The job store's locator.</param>
/// <param name="JobStoreId">The ID of the job to run.</param>
/// <param name="Environment">Variables set on the process for this job only (a one-job worker's would be set on its process).</param>
internal sealed record ServeRequest(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("jobName")] string JobName,
    [property: JsonPropertyName("jobStoreLocator")] string JobStoreLocator,
    [property: JsonPropertyName("jobStoreId")] string JobStoreId,
    [property: JsonPropertyName("environment")] Dictionary<string, string>? Environment);
