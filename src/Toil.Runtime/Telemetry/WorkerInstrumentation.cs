namespace Toil.Runtime.Telemetry;

/// <summary>
/// The names of the worker's <see cref="System.Diagnostics.ActivitySource"/> and
/// <see cref="System.Diagnostics.Metrics.Meter"/>, for <c>AddSource</c> / <c>AddMeter</c> of an OpenTelemetry SDK or an
/// <see cref="System.Diagnostics.ActivityListener"/>. Every span, metric and tag is listed in <c>docs/telemetry.md</c>.
/// </summary>
public static class WorkerInstrumentation
{
    /// <summary>The activity source's name: spans <c>toil.job</c> (one per job body run, chained ones included) and <c>toil.commit</c>.</summary>
    public const string ActivitySourceName = "Toil.Runtime.Worker";

    /// <summary>The meter's name: <c>toil.worker.chain.length</c> and <c>toil.worker.commit.duration</c>.</summary>
    public const string MeterName = "Toil.Runtime.Worker";

    /// <summary>
    /// The environment variable that carries the parent span into a worker process (W3C trace context,
    /// <c>00-&lt;trace id&gt;-&lt;span id&gt;-&lt;flags&gt;</c>), set by the leader for every attempt while someone listens.
    /// </summary>
    public const string TraceParentVariable = "TRACEPARENT";

    /// <summary>The environment variable that carries the W3C trace state with <see cref="TraceParentVariable"/>.</summary>
    public const string TraceStateVariable = "TRACESTATE";
}
