namespace Toil.Runtime.Jobs;

/// <summary>
/// Reference to a job's not-yet-run work (Toil's <c>_body</c>): the registered job type name and the job-store file
/// that holds its JSON input.
/// </summary>
/// <param name="TypeName">The stable name the job type is registered under.</param>
/// <param name="FileId">The job-store file ID of the JSON input.</param>
public sealed record JobBody(string TypeName, string FileId);
