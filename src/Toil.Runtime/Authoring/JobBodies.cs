using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Authoring;

/// <summary>Where authoring keeps a new job's body document (docs/decisions.md#inline-bodies).</summary>
internal static class JobBodies
{
    /// <summary>
    /// Attaches <paramref name="document"/> to <paramref name="job"/> as its body: inline in the record when the store
    /// keeps bodies that small there (<see cref="IJobStoreTraits.InlineBodyLimit"/>), else in a cleanup file of the job.
    /// </summary>
    /// <param name="store">The job store.</param>
    /// <param name="job">The job, with its ID assigned and its record not yet created.</param>
    /// <param name="typeName">The registered job type name.</param>
    /// <param name="document">The body document; the body owns it afterwards.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The ID of the file written, or <see langword="null"/> for an inline body.</returns>
    public static async ValueTask<string?> AttachAsync(IJobStore store, JobDescription job, string typeName, byte[] document, CancellationToken cancellationToken)
    {
        if (store is IJobStoreTraits { InlineBodyLimit: > 0 and var limit } && document.Length <= limit)
        {
            job.AttachBody(JobBody.Owning(typeName, document));
            return null;
        }

        string fileId = await store.WriteFileAsync(document, job.JobStoreId, cleanup: true, baseName: "body", cancellationToken).ConfigureAwait(false);
        job.AttachBody(new JobBody(typeName, fileId));
        return fileId;
    }

    /// <summary>
    /// The body document of <paramref name="body"/>: its inline bytes, else its file's, lent by a store that holds the file
    /// in memory and never changes its bytes in place (<see cref="IJobStoreTraits.TryReadFileInPlace"/>), else read.
    /// </summary>
    /// <param name="store">The job store.</param>
    /// <param name="body">The body.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The document's bytes, which the caller must not change.</returns>
    /// <exception cref="NoSuchFileException">The body's file does not exist.</exception>
    public static async ValueTask<ReadOnlyMemory<byte>> ReadAsync(IJobStore store, JobBody body, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (body.FileId is not { } fileId)
        {
            return body.Input;
        }

        return store is IJobStoreTraits traits && traits.TryReadFileInPlace(fileId, out var held)
            ? held
            : await store.ReadAllBytesAsync(fileId, cancellationToken).ConfigureAwait(false);
    }
}
