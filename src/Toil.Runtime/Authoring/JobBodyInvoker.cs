using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Toil.Runtime.FileStores;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Authoring;

/// <summary>
/// The default <see cref="IJobBodyInvoker"/>: runs registered job types from a <see cref="JobTypeRegistry"/>. Each run
/// gets its own DI scope (when the service provider offers scopes), so scoped services live for one job.
/// </summary>
/// <remarks>
/// With a file store that reports on its job (the <see cref="NonCachingFileStore"/> does), a failing body (or graph save)
/// makes the store log the files the job accessed (<see cref="NonCachingFileStore.LogAccessedFiles"/>), and every run
/// ends with <see cref="NonCachingFileStore.CheckDiskUse"/>.
/// </remarks>
internal sealed class JobBodyInvoker : IJobBodyInvoker
{
    private readonly JobTypeRegistry _registry;

    /// <summary>Creates the invoker.</summary>
    /// <param name="registry">The job types it can run.</param>
    public JobBodyInvoker(JobTypeRegistry registry) => _registry = registry ?? throw new ArgumentNullException(nameof(registry));

    /// <inheritdoc />
    /// <exception cref="UnknownJobTypeException">The body names a type that is not registered.</exception>
    /// <exception cref="InvalidJobInputException">The body or its input cannot be read, or a promise in it cannot be resolved.</exception>
    /// <exception cref="JobGraphException">The job graph the body built cannot be saved.</exception>
    public async ValueTask<JobBodyOutcome> InvokeAsync(JobInvocation invocation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var job = invocation.Job;
        var body = job.GetBody();
        if (!_registry.TryGet(body.TypeName, out var registration))
        {
            throw new UnknownJobTypeException(body.TypeName, job.JobStoreId);
        }

        if (invocation.Logger.IsEnabled(LogLevel.Debug))
        {
            AuthoringLog.Running(invocation.Logger, body.TypeName, job.ToString());
        }

        var fileStore = invocation.FileStore as IReportingFileStore;
        try
        {
            ReadOnlyMemory<byte> bytes;
            try
            {
                bytes = await JobBodies.ReadAsync(invocation.JobStore, body, cancellationToken).ConfigureAwait(false);
            }
            catch (NoSuchFileException e)
            {
                throw new InvalidJobInputException(job.JobStoreId, body.TypeName, $"its body file '{body.FileId}' does not exist", e);
            }

            using var document = JobBodyDocument.Parse(bytes, job.JobStoreId, body.TypeName);
            var graph = new JobGraph(_registry, job);
            var context = new JobContext(invocation, graph, cancellationToken);
            byte[]? output;
            IReadOnlyList<string> consumed;
            var scope = invocation.Services.GetService<IServiceScopeFactory>()?.CreateAsyncScope();
            try
            {
                var execution = new JobExecution(invocation, context, document, body.TypeName, scope?.ServiceProvider ?? invocation.Services, cancellationToken);
                output = await registration.RunAsync(execution).ConfigureAwait(false);
                consumed = execution.ConsumedPromiseFileIds;
            }
            finally
            {
                if (scope is { } s)
                {
                    await s.DisposeAsync().ConfigureAwait(false);
                }
            }

            int created = await graph.SaveAsync(invocation.JobStore, cancellationToken).ConfigureAwait(false);
            if (invocation.Logger.IsEnabled(LogLevel.Debug))
            {
                AuthoringLog.Saved(invocation.Logger, created, job.ToString());
            }

            if (output is not null)
            {
                await FulfilAsync(invocation, document.Promises, output, cancellationToken).ConfigureAwait(false);
            }

            job.DetachBody();
            return new JobBodyOutcome { ConsumedPromiseFileIds = consumed, JobsCreated = created };
        }
        catch
        {
            fileStore?.LogAccessedFiles();
            throw;
        }
        finally
        {
            if (fileStore is not null)
            {
                try
                {
                    fileStore.CheckDiskUse();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    AuthoringLog.DiskCheckFailed(invocation.Logger, e, job.ToString());
                }
            }
        }
    }

    private static async ValueTask FulfilAsync(JobInvocation invocation, IReadOnlyList<string> promiseFiles, byte[] output, CancellationToken cancellationToken)
    {
        int fulfilled = 0;
        foreach (string fileId in promiseFiles)
        {
            // A consumer that is gone (its subtree finished or was deleted) took its file with it.
            if (!await invocation.JobStore.FileExistsAsync(fileId, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            try
            {
                await invocation.JobStore.UpdateFileAsync(fileId, (s, ct) => s.WriteAsync(output, ct), cancellationToken).ConfigureAwait(false);
                fulfilled++;
            }
            catch (NoSuchFileException)
            {
            }
        }

        if (invocation.Logger.IsEnabled(LogLevel.Debug))
        {
            AuthoringLog.Fulfilled(invocation.Logger, fulfilled, promiseFiles.Count, invocation.Job.ToString());
        }
    }
}
