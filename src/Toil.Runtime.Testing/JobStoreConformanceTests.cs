using System.Security.Cryptography;
using System.Text;
using NUnit.Framework;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Testing;

/// <summary>
/// The conformance suite every <see cref="IJobStore"/> passes: derive it once, return a fresh store from
/// <see cref="CreateStoreAsync"/> and a second handle on the same storage from <see cref="OpenSecondInstanceAsync"/>,
/// and NUnit runs every scenario (job records, optimistic concurrency, files, shared files, stats/log messages,
/// hostile IDs, destruction) against your store. See <c>docs/testing.md</c>.
/// </summary>
/// <remarks>
/// <para>
/// The scenarios follow Toil's abstract job-store tests (<c>jobStoreTest.py</c>) where they apply to the
/// <see cref="IJobStore"/> contract, plus the guarantees Toil.Runtime adds: stale updates are rejected with
/// <see cref="ConcurrentJobModificationException"/> and write nothing, file IDs from outside the store never reach
/// outside it, and concurrent writers lose no update.
/// </para>
/// <para>
/// Every test gets a new store in <see cref="SetUpStoreAsync"/>; <see cref="TearDownStoreAsync"/> destroys it and
/// disposes every instance the test opened. Every store call is bounded by <see cref="OperationTimeout"/> through
/// <see cref="Cancellation"/>, so a hung store fails the test instead of hanging the run.
/// </para>
/// </remarks>
[Parallelizable(ParallelScope.None)]
public abstract partial class JobStoreConformanceTests
{
    private readonly List<IJobStore> _opened = [];
    private CancellationTokenSource? _timeout;
    private IJobStore? _store;

    /// <summary>The store under test: a fresh, empty store created for the current test.</summary>
    /// <exception cref="InvalidOperationException">Accessed outside a test.</exception>
    protected IJobStore Store => _store ?? throw new InvalidOperationException("The store is only available while a test runs.");

    /// <summary>Cancelled when the current test has run for longer than <see cref="OperationTimeout"/>.</summary>
    protected CancellationToken Cancellation => _timeout?.Token ?? CancellationToken.None;

    /// <summary>
    /// How long one test may take before its store calls are cancelled. The default value is 5 minutes, generous
    /// because the suite writes a 50 MiB file and runs concurrent writers on shared, loaded machines.
    /// </summary>
    protected virtual TimeSpan OperationTimeout => TimeSpan.FromMinutes(5);

    /// <summary>
    /// The size of the file the large-file test round-trips. The default value is 50 MiB (Toil's <c>testLargeFile</c>).
    /// The suite streams it in 64 KiB chunks and never holds it in memory itself.
    /// </summary>
    protected virtual long LargeFileSize => 50L * 1024 * 1024;

    /// <summary>Creates a fresh, empty store (initialized, with its workflow configuration persisted).</summary>
    /// <param name="cancellationToken">Cancels the creation.</param>
    /// <returns>The store; the suite destroys and disposes it after the test.</returns>
    protected abstract ValueTask<IJobStore> CreateStoreAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Opens a second instance on the same underlying storage as <paramref name="first"/> (for a file store: the same
    /// directory, resumed; for a store that lives only in memory: <paramref name="first"/> itself). The suite uses it
    /// to prove that what one instance writes another reads.
    /// </summary>
    /// <param name="first">The store <see cref="CreateStoreAsync"/> returned.</param>
    /// <param name="cancellationToken">Cancels the opening.</param>
    /// <returns>The second instance; the suite disposes it (unless it is <paramref name="first"/>) after the test.</returns>
    protected abstract ValueTask<IJobStore> OpenSecondInstanceAsync(IJobStore first, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the stored record of <paramref name="jobId"/> with raw bytes, bypassing the store (as disk corruption,
    /// a truncated write or a newer library would). Override it to run the corrupt-record tests; the default marks
    /// them ignored.
    /// </summary>
    /// <param name="store">The store under test.</param>
    /// <param name="jobId">The existing job whose record is replaced.</param>
    /// <param name="record">The raw bytes to store.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the record holds <paramref name="record"/>.</returns>
    protected virtual ValueTask OverwriteJobRecordAsync(IJobStore store, string jobId, ReadOnlyMemory<byte> record, CancellationToken cancellationToken)
    {
        Assert.Ignore("The store under test does not override OverwriteJobRecordAsync, so records cannot be corrupted on purpose; override it to run this test.");
        return ValueTask.CompletedTask;
    }

    /// <summary>Creates the store under test and starts the test's timeout.</summary>
    /// <returns>A task that completes when the store is ready.</returns>
    [SetUp]
    public async Task SetUpStoreAsync()
    {
        _timeout = new CancellationTokenSource(OperationTimeout);
        _store = await CreateStoreAsync(_timeout.Token).ConfigureAwait(false);
        _opened.Add(_store);
    }

    /// <summary>Destroys the store under test and disposes every instance the test opened.</summary>
    /// <returns>A task that completes when the store is gone.</returns>
    [TearDown]
    public async Task TearDownStoreAsync()
    {
        try
        {
            if (_store is not null)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
                await _store.DestroyAsync(cts.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            foreach (var instance in _opened.Distinct(ReferenceEqualityComparer.Instance).Cast<IJobStore>().Reverse())
            {
                await instance.DisposeAsync().ConfigureAwait(false);
            }

            _opened.Clear();
            _store = null;
            _timeout?.Dispose();
            _timeout = null;
        }
    }

    /// <summary>Opens (and tracks for disposal) a second instance on the store under test's storage.</summary>
    /// <returns>The second instance.</returns>
    protected async ValueTask<IJobStore> OpenSecondStoreAsync()
    {
        var second = await OpenSecondInstanceAsync(Store, Cancellation).ConfigureAwait(false);
        _opened.Add(second);
        return second;
    }

    /// <summary>A new description with a body and explicit requirements, as a leader would create it.</summary>
    /// <param name="name">The job name.</param>
    /// <returns>The description, with a temporary ID.</returns>
    protected static JobDescription NewJob(string name = "conformance-job")
    {
        var job = new JobDescription(name, new JobRequirements { Memory = "300Mi", Cores = 1.5, Disk = "1Gi", Preemptible = true }, unitName: "unit-" + name);
        job.AttachBody(new JobBody("conformance.body", "files-flat/file-0/body-" + name));
        return job;
    }

    /// <summary>Creates <paramref name="job"/> in the store under test.</summary>
    /// <param name="job">The description.</param>
    /// <returns>Its ID.</returns>
    protected ValueTask<string> CreateAsync(JobDescription job) => Store.CreateJobAsync(job, Cancellation);

    /// <summary>Writes a new file holding UTF-8 <paramref name="text"/>.</summary>
    /// <param name="store">The store.</param>
    /// <param name="text">The content.</param>
    /// <param name="jobId">The owning job, or <see langword="null"/>.</param>
    /// <param name="cleanup">Whether the file is deleted with the job.</param>
    /// <returns>The file ID.</returns>
    protected ValueTask<string> WriteTextAsync(IJobStore store, string text, string? jobId = null, bool cleanup = false)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.WriteFileAsync(Encoding.UTF8.GetBytes(text), jobId, cleanup, null, Cancellation);
    }

    /// <summary>Reads a whole file as UTF-8.</summary>
    /// <param name="store">The store.</param>
    /// <param name="fileId">The file ID.</param>
    /// <returns>The text.</returns>
    protected async Task<string> ReadTextAsync(IJobStore store, string fileId) =>
        Encoding.UTF8.GetString(await store.ReadAllBytesAsync(fileId, Cancellation).ConfigureAwait(false));

    /// <summary>Reads a whole shared file as UTF-8.</summary>
    /// <param name="store">The store.</param>
    /// <param name="name">The shared file name.</param>
    /// <returns>The text.</returns>
    protected async Task<string> ReadSharedTextAsync(IJobStore store, string name) =>
        Encoding.UTF8.GetString(await store.ReadSharedFileBytesAsync(name, Cancellation).ConfigureAwait(false));

    /// <summary>Lists every job of <paramref name="store"/>.</summary>
    /// <param name="store">The store.</param>
    /// <returns>The descriptions.</returns>
    protected async Task<List<JobDescription>> ListAsync(IJobStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        List<JobDescription> jobs = [];
        await foreach (var job in store.ListJobsAsync(Cancellation).ConfigureAwait(false))
        {
            jobs.Add(job);
        }

        return jobs;
    }

    private static async ValueTask WritePseudoRandomAsync(Stream destination, long length, int seed, IncrementalHash hash, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        byte[] chunk = new byte[64 * 1024];
        for (long left = length; left > 0; left -= chunk.Length)
        {
            int n = (int)Math.Min(chunk.Length, left);
            random.NextBytes(chunk.AsSpan(0, n));
            hash.AppendData(chunk, 0, n);
            await destination.WriteAsync(chunk.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<(long Length, byte[] Digest)> DigestAsync(Stream source, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] chunk = new byte[64 * 1024];
        long length = 0;
        int n;
        while ((n = await source.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(chunk, 0, n);
            length += n;
        }

        return (length, hash.GetHashAndReset());
    }
}
