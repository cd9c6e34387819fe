using Microsoft.Extensions.Logging;

namespace Toil.Runtime.Deferred;

/// <summary>
/// Opens file-backed <see cref="DeferredFunctionManager"/>s (the default): calls survive a killed worker. Each manager
/// takes its lock file and writes state only when a job first defers a function; orphans are still run at every job
/// start and at close.
/// </summary>
/// <param name="registry">The functions that can be deferred.</param>
/// <param name="services">Passed to function factories.</param>
/// <param name="loggerFactory">Creates the managers' logger; defaults to none.</param>
/// <param name="timeProvider">The clock of function timeouts; defaults to <see cref="TimeProvider.System"/>.</param>
internal sealed class DeferredFunctionManagerFactory(
    DeferredFunctionRegistry registry,
    IServiceProvider? services = null,
    ILoggerFactory? loggerFactory = null,
    TimeProvider? timeProvider = null) : IDeferredFunctionManagerFactory
{
    private readonly ILogger? _logger = loggerFactory?.CreateLogger<DeferredFunctionManager>();

    /// <inheritdoc />
    public ValueTask<IDeferredFunctionManager> OpenAsync(string coordinationDirectory, CancellationToken cancellationToken = default)
    {
        var options = new DeferredFunctionManagerOptions
        {
            CoordinationDirectory = coordinationDirectory,
            TimeProvider = timeProvider ?? TimeProvider.System,
        };
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult<IDeferredFunctionManager>(new LazyDeferredFunctionManager(DeferredFunctionManager.CreateRunner(options, registry, _logger, services), options.TimeProvider));
    }
}
