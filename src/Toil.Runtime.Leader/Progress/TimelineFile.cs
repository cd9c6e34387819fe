using Microsoft.Extensions.Logging;
using Toil.Runtime.JobStores;
using Toil.Runtime.Leader.Workflows;

namespace Toil.Runtime.Leader.Progress;

/// <summary>Writes a run's timeline where <see cref="LeaderOptions"/> asks for it (docs/progress.md, "Timeline").</summary>
internal static class TimelineFile
{
    /// <summary>
    /// The path <paramref name="options"/> gives for the timeline of a run on <paramref name="locator"/>:
    /// <see cref="LeaderOptions.TimelinePath"/>, else (with <see cref="LeaderOptions.WriteTimeline"/>) beside a file
    /// store as <c>&lt;store&gt;.timeline.html</c>; <see langword="null"/> for none.
    /// </summary>
    public static string? PathFor(LeaderOptions options, string locator)
    {
        if (options.TimelinePath is { Length: > 0 } path)
        {
            return Path.GetFullPath(path);
        }

        if (!options.WriteTimeline || !FileJobStore.TryParseLocator(locator, out string? store))
        {
            return null;
        }

        return Path.GetFullPath(store).TrimEnd(Path.DirectorySeparatorChar) + ".timeline.html";
    }

    /// <summary>Writes the timeline of <paramref name="result"/> when asked; a failure to write is logged, not thrown (the run's result matters more).</summary>
    public static async Task WriteIfAskedAsync(WorkflowResult result, LeaderOptions options, ILogger log, CancellationToken cancellationToken)
    {
        string? path = PathFor(options, result.JobStoreLocator);
        if (path is null)
        {
            if (options.WriteTimeline && options.TimelinePath is null)
            {
                ProgressLog.TimelineNoPlace(log, result.JobStoreLocator);
            }

            return;
        }

        try
        {
            await result.Summary.WriteTimelineAsync(path, "Toil run " + result.JobStoreLocator, cancellationToken).ConfigureAwait(false);
            ProgressLog.TimelineWritten(log, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ProgressLog.TimelineFailed(log, e, path);
        }
    }
}
