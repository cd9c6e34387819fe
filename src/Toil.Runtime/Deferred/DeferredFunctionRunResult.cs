namespace Toil.Runtime.Deferred;

/// <summary>The outcome of running deferred functions.</summary>
/// <param name="Succeeded">The number of functions that completed.</param>
/// <param name="Failed">The number of functions that threw or timed out; they were logged and are not run again.</param>
/// <param name="SetAside">
/// The number of persisted calls that could not be run (unregistered name, or a corrupt state file counted
/// as one) and were moved to the <c>deferred/set-aside</c> directory instead of being lost.
/// </param>
public readonly record struct DeferredFunctionRunResult(int Succeeded, int Failed, int SetAside)
{
    /// <summary>Gets the number of functions that were invoked.</summary>
    public int Ran => Succeeded + Failed;

    /// <summary>Adds two results.</summary>
    /// <param name="left">The first result.</param>
    /// <param name="right">The second result.</param>
    /// <returns>The element-wise sum.</returns>
    public static DeferredFunctionRunResult operator +(DeferredFunctionRunResult left, DeferredFunctionRunResult right)
        => new(left.Succeeded + right.Succeeded, left.Failed + right.Failed, left.SetAside + right.SetAside);

    /// <summary>Adds two results.</summary>
    /// <param name="left">The first result.</param>
    /// <param name="right">The second result.</param>
    /// <returns>The element-wise sum.</returns>
    public static DeferredFunctionRunResult Add(DeferredFunctionRunResult left, DeferredFunctionRunResult right) => left + right;
}
