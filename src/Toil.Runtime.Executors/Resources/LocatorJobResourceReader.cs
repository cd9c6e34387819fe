using Microsoft.Extensions.Options;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Executors.Resources;

/// <summary>
/// Reads job resources from the job stores their <see cref="JobResource.JobStore"/> locators name: what an executor
/// process needs, since its payloads name their store. Each store is opened once (by its canonical locator) and kept
/// open until this object is disposed. Only file job stores (<c>file:/path</c> or a path) can be opened.
/// </summary>
/// <remarks>Create one with <see cref="JobResourceReaders.FromLocator"/>, pass <see cref="ReadAsync"/> as the
/// executor's <c>ResourceReader</c>, and dispose it when the executor has returned. Safe for concurrent use.</remarks>
public sealed class LocatorJobResourceReader : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, (IJobStore Store, JobResourceReader Reader)> _stores = new(StringComparer.Ordinal);
    private bool _disposed;

    internal LocatorJobResourceReader()
    {
    }

    /// <summary>Gets the number of job stores currently open.</summary>
    public int OpenStoreCount
    {
        get
        {
            _gate.Wait();
            try
            {
                return _stores.Count;
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    /// <summary>Opens the stored content of <paramref name="resource"/>, opening its job store first if this reader
    /// has not opened it yet (a <see cref="JobResourceReader"/>).</summary>
    /// <param name="resource">The resource to read.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A readable stream of the stored content; the caller disposes it.</returns>
    /// <exception cref="JobResourceException">The locator is not a file job store locator, or the store does not exist
    /// or cannot be opened.</exception>
    /// <exception cref="ObjectDisposedException">This reader has been disposed.</exception>
    public async ValueTask<Stream> ReadAsync(JobResource resource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        JobResourceReader reader = await GetReaderAsync(resource, cancellationToken).ConfigureAwait(false);
        return await reader(resource, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Disposes every job store this reader opened.</summary>
    /// <returns>A task that completes when the stores are disposed.</returns>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var (store, _) in _stores.Values)
            {
                await store.DisposeAsync().ConfigureAwait(false);
            }

            _stores.Clear();
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask<JobResourceReader> GetReaderAsync(JobResource resource, CancellationToken cancellationToken)
    {
        string locator = resource.JobStore;
        if (!FileJobStore.TryParseLocator(locator, out string? root))
        {
            throw new JobResourceException(
                $"resource '{resource.Name}' is stored in job store '{locator}', which this executor cannot open: only file job stores ('file:/path' or a path) are supported");
        }

        string canonical = "file:" + root;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_stores.TryGetValue(canonical, out var open))
            {
                return open.Reader;
            }

            FileJobStore store;
            try
            {
                store = await FileJobStore.OpenAsync(canonical, cancellationToken).ConfigureAwait(false);
            }
            catch (NoSuchJobStoreException ex)
            {
                throw new JobResourceException($"resource '{resource.Name}' is stored in job store '{locator}', which does not exist", ex);
            }
            catch (Exception ex) when (ex is JobStoreException or OptionsValidationException or IOException or UnauthorizedAccessException)
            {
                throw new JobResourceException($"cannot open job store '{locator}' to read resource '{resource.Name}': {ex.Message}", ex);
            }

            // A failed open is not remembered, so a later task retries it.
            JobResourceReader reader = JobResourceReaders.FromJobStore(store);
            _stores.Add(canonical, (store, reader));
            return reader;
        }
        finally
        {
            _gate.Release();
        }
    }
}
