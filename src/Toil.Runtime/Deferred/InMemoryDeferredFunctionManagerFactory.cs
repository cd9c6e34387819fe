using Microsoft.Extensions.Logging;

namespace Toil.Runtime.Deferred;

/// <summary>Opens <see cref="InMemoryDeferredFunctionManager"/>s: for unit tests and hosts without a coordination directory.</summary>
/// <param name="registry">The functions that can be deferred.</param>
/// <param name="services">Passed to function factories.</param>
/// <param name="loggerFactory">Creates the managers' logger; defaults to none.</param>
public sealed class InMemoryDeferredFunctionManagerFactory(
    DeferredFunctionRegistry registry,
    IServiceProvider? services = null,
    ILoggerFactory? loggerFactory = null) : IDeferredFunctionManagerFactory
{
    private readonly ILogger? _logger = loggerFactory?.CreateLogger<InMemoryDeferredFunctionManager>();

    /// <inheritdoc />
    /// <remarks>The coordination directory is ignored.</remarks>
    public ValueTask<IDeferredFunctionManager> OpenAsync(string coordinationDirectory, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult<IDeferredFunctionManager>(new InMemoryDeferredFunctionManager(registry, _logger, services));
    }
}
