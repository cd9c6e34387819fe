namespace Toil.Runtime.Testing;

/// <summary>A deferred function a job under test registered with <c>JobContext.DeferAsync</c>.</summary>
/// <param name="Name">The registered function name.</param>
/// <param name="Arguments">The arguments object the job passed.</param>
public sealed record RecordedDeferredCall(string Name, object? Arguments);
