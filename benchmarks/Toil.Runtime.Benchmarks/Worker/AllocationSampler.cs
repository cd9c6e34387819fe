using System.Diagnostics.Tracing;

namespace Toil.Runtime.Benchmarks.Worker;

/// <summary>
/// A profiling aid: listens to the runtime's allocation-tick events (one per ~100 KB allocated, naming the type that
/// crossed the threshold) and sums them per type, so a run shows which types its allocations go to without an
/// external profiler. Sampled, not exact: types below a few percent of the total are noise.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly Dictionary<string, long> _bytes = [];
    private readonly Lock _gate = new();
    private bool _recording;

    /// <summary>Starts counting (events before this are ignored).</summary>
    public void Start()
    {
        lock (_gate)
        {
            _bytes.Clear();
            _recording = true;
        }
    }

    /// <summary>Pauses or resumes counting (to leave out what is not measured, such as building a chain).</summary>
    /// <param name="recording">Whether to count.</param>
    public void Record(bool recording)
    {
        lock (_gate)
        {
            _recording = recording;
        }
    }

    /// <summary>Stops counting and returns the types with the largest sampled byte totals, largest first.</summary>
    /// <param name="top">How many types to return.</param>
    /// <returns>Type name and sampled bytes.</returns>
    public List<KeyValuePair<string, long>> Stop(int top)
    {
        lock (_gate)
        {
            _recording = false;
            return [.. _bytes.OrderByDescending(p => p.Value).Take(top)];
        }
    }

    /// <inheritdoc />
    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    /// <inheritdoc />
    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.Payload is null || eventData.PayloadNames is null)
        {
            return;
        }

        int typeIndex = eventData.PayloadNames.IndexOf("TypeName");
        int amountIndex = eventData.PayloadNames.IndexOf("AllocationAmount64");
        if (typeIndex < 0 || amountIndex < 0)
        {
            return;
        }

        string type = eventData.Payload[typeIndex] as string ?? "?";
        long amount = Convert.ToInt64(eventData.Payload[amountIndex], System.Globalization.CultureInfo.InvariantCulture);
        lock (_gate)
        {
            if (_recording)
            {
                _bytes[type] = _bytes.GetValueOrDefault(type) + amount;
            }
        }
    }
}
