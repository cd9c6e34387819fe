using Toil.Runtime.Deferred;

namespace Toil.Runtime.Testing;

/// <summary>The job's deferred-function scope, passing every call through and noting each call a job registers.</summary>
internal sealed class RecordingDeferredScope(IDeferredFunctionScope inner) : IDeferredFunctionScope
{
    private readonly List<RecordedDeferredCall> _calls = [];

    public IReadOnlyList<RecordedDeferredCall> Calls
    {
        get
        {
            lock (_calls)
            {
                return [.. _calls];
            }
        }
    }

    public async ValueTask DeferAsync<TArgs>(string name, TArgs arguments, CancellationToken cancellationToken = default)
    {
        await inner.DeferAsync(name, arguments, cancellationToken).ConfigureAwait(false);
        lock (_calls)
        {
            _calls.Add(new RecordedDeferredCall(name, arguments));
        }
    }

    public ValueTask<DeferredFunctionRunResult> RunAsync(CancellationToken cancellationToken = default) => inner.RunAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
