using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Toil.Runtime.Deferred;

/// <summary>Turns typed arguments into persisted calls and runs calls with a timeout, logging failures.</summary>
internal sealed class DeferredFunctionInvoker(
    DeferredFunctionRegistry registry,
    IServiceProvider services,
    TimeSpan functionTimeout,
    TimeProvider timeProvider,
    ILogger logger)
{
    public ILogger Logger { get; } = logger;

    /// <summary>Validates a call at defer time and serialises its arguments.</summary>
    public DeferredCall CreateCall<TArgs>(string name, TArgs arguments)
    {
        if (!registry.TryGet(name, out DeferredFunctionRegistration? registration))
        {
            throw DeferredFunctionNotRegisteredException.For(name);
        }

        if (registration is not DeferredFunctionRegistration<TArgs> typed)
        {
            throw new ArgumentException(
                $"deferred function '{name}' takes {registration.ArgumentsType.FullName}, not {typeof(TArgs).FullName}", nameof(arguments));
        }

        return new DeferredCall { Name = name, Arguments = typed.Serialize(arguments) };
    }

    /// <summary>
    /// Runs <paramref name="calls"/> in order. <paramref name="progress"/> receives the index of the call
    /// about to run, so on cancellation the caller knows which calls to keep persisted.
    /// </summary>
    public async Task<DeferredFunctionRunResult> RunCallsAsync(
        string workerId,
        IReadOnlyList<DeferredCall> calls,
        Action<int> progress,
        List<(DeferredCall Call, DeferredFunctionException Error)> setAside,
        CancellationToken cancellationToken)
    {
        var result = default(DeferredFunctionRunResult);
        for (int i = 0; i < calls.Count; i++)
        {
            progress(i);
            cancellationToken.ThrowIfCancellationRequested();
            DeferredCall call = calls[i];
            result += await InvokeAsync(workerId, call, setAside, cancellationToken).ConfigureAwait(false);
        }

        progress(calls.Count);
        return result;
    }

    private async Task<DeferredFunctionRunResult> InvokeAsync(
        string workerId,
        DeferredCall call,
        List<(DeferredCall Call, DeferredFunctionException Error)> setAside,
        CancellationToken cancellationToken)
    {
        if (!registry.TryGet(call.Name, out DeferredFunctionRegistration? registration))
        {
            setAside.Add((call, DeferredFunctionNotRegisteredException.For(call.Name)));
            return new(0, 0, 1);
        }

        Func<CancellationToken, ValueTask> bound;
        try
        {
            bound = registration.Bind(call.Arguments, services);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            setAside.Add((call, new DeferredFunctionException($"arguments of deferred function '{call.Name}' cannot be read as {registration.ArgumentsType.FullName}: {ex.Message}", ex)));
            return new(0, 0, 1);
        }

        DeferredLog.Running(Logger, call.Name, workerId);
        using var timeout = new CancellationTokenSource(functionTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            // WaitAsync bounds the wait even for a function that ignores its token.
            await bound(linked.Token).AsTask().WaitAsync(linked.Token).ConfigureAwait(false);
            return new(1, 0, 0);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested)
        {
            DeferredLog.FunctionTimedOut(Logger, ex, call.Name, workerId, functionTimeout);
            return new(0, 1, 0);
        }
#pragma warning disable CA1031 // A failing deferred function must not stop the others: it is logged and counted.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            DeferredLog.FunctionFailed(Logger, ex, call.Name, workerId);
            return new(0, 1, 0);
        }
    }

}
