namespace Toil.Runtime.Leader.Telemetry;

/// <summary>
/// The names of the leader's <see cref="System.Diagnostics.ActivitySource"/> and
/// <see cref="System.Diagnostics.Metrics.Meter"/>, for <c>AddSource</c> / <c>AddMeter</c> of an OpenTelemetry SDK or an
/// <see cref="System.Diagnostics.ActivityListener"/>. Add the worker's too (<c>Toil.Runtime.Telemetry.WorkerInstrumentation</c>)
/// to see job bodies and commits under their attempts. Every span, metric and tag is listed in <c>docs/telemetry.md</c>.
/// </summary>
public static class LeaderInstrumentation
{
    /// <summary>The activity source's name: spans <c>toil.workflow</c> and <c>toil.job.attempt</c>.</summary>
    public const string ActivitySourceName = "Toil.Runtime.Leader";

    /// <summary>The meter's name: <c>toil.leader.jobs.issued</c>, <c>.finished</c>, <c>.failed</c> and <c>toil.leader.queue.depth</c>.</summary>
    public const string MeterName = "Toil.Runtime.Leader";
}
