using System.ComponentModel.DataAnnotations;

namespace Toil.Runtime.Deferred;

/// <summary>Options of a <see cref="DeferredFunctionManager"/>.</summary>
public sealed class DeferredFunctionManagerOptions
{
    /// <summary>
    /// Gets or sets the node-local coordination directory shared by the workers of one workflow on a node.
    /// State lives in its <c>deferred</c> subdirectory. It must support <c>flock</c> (a local disk or tmpfs).
    /// </summary>
    /// <value>The default value is <see langword="null"/>; it is required.</value>
    [Required]
    public string? CoordinationDirectory { get; set; }

    /// <summary>Gets or sets how long one deferred function may run before it is cancelled and counted as failed.</summary>
    /// <value>The default value is 5 minutes. It must be positive and at most one day. The wait is bounded even
    /// if the function ignores its cancellation token (it is then abandoned, still running).</value>
    public TimeSpan FunctionTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets the clock used for <see cref="FunctionTimeout"/>.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    [Required]
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(CoordinationDirectory))
        {
            yield return $"{nameof(CoordinationDirectory)} is required";
        }

        if (FunctionTimeout <= TimeSpan.Zero || FunctionTimeout > TimeSpan.FromDays(1))
        {
            yield return $"{nameof(FunctionTimeout)} must be positive and at most one day (was {FunctionTimeout})";
        }

        if (TimeProvider is null)
        {
            yield return $"{nameof(TimeProvider)} is required";
        }
    }

    internal void Validate()
    {
        string[] problems = [.. Problems()];
        if (problems.Length > 0)
        {
            throw new ArgumentException("invalid deferred-function options: " + string.Join("; ", problems), "options");
        }
    }
}
