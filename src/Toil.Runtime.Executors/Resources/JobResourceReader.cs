namespace Toil.Runtime.Executors.Resources;

/// <summary>
/// Opens the stored content of a job resource (the seam between resource deployment and the job store: a host
/// resolves <see cref="JobResource.JobStore"/> and reads <see cref="JobResource.FileId"/>).
/// </summary>
/// <param name="resource">The resource to read.</param>
/// <param name="cancellationToken">Cancels the operation.</param>
/// <returns>A readable stream of the stored content; the caller disposes it.</returns>
public delegate ValueTask<Stream> JobResourceReader(JobResource resource, CancellationToken cancellationToken);
