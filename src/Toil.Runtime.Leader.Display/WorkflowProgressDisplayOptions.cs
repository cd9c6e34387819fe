namespace Toil.Runtime.Leader.Display;

/// <summary>How a <see cref="WorkflowProgressDisplay"/> shows a run.</summary>
public sealed class WorkflowProgressDisplayOptions
{
    /// <summary>
    /// Gets or sets how often the live display is redrawn on a terminal.
    /// <value>The default value is 100 milliseconds.</value>
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Gets or sets how often a plain progress line is printed when the output is not a terminal (redirected to a file
    /// or a pipe); <see cref="Timeout.InfiniteTimeSpan"/> for none (only the summary at the end).
    /// <value>The default value is 10 seconds.</value>
    /// </summary>
    public TimeSpan PlainLineInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets or sets whether the run summary is printed at the end.
    /// <value>The default value is <see langword="true"/>.</value>
    /// </summary>
    public bool ShowSummary { get; set; } = true;

    /// <summary>
    /// Gets or sets the clock; tests pass a fake one.
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
