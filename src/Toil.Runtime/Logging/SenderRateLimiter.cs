namespace Toil.Runtime.Logging;

/// <summary>
/// A token bucket per sender (<c>ip:port</c>): each sender may pass <c>rate</c> records per second on average and
/// <c>burst</c> at once. Time comes from a <see cref="TimeProvider"/>. Not thread-safe: the server's one receive thread
/// owns it. The number of buckets is bounded: when <see cref="MaxSenders"/> are tracked, idle senders (full buckets)
/// are forgotten, and if none is idle further senders share one bucket.
/// </summary>
internal sealed class SenderRateLimiter
{
    /// <summary>How many senders get a bucket of their own.</summary>
    public const int MaxSenders = 4096;

    /// <summary>The key of the bucket senders beyond <see cref="MaxSenders"/> share.</summary>
    public const string OtherSenders = "(other senders)";

    private readonly double _rate;
    private readonly double _burst;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _droppedBySender = new(StringComparer.Ordinal);
    private long _periodStart;
    private long _droppedInPeriod;

    public SenderRateLimiter(double recordsPerSecond, int burst, TimeProvider time)
    {
        _rate = recordsPerSecond;
        _burst = burst;
        _time = time;
        _periodStart = time.GetTimestamp();
    }

    /// <summary>Gets a value indicating whether records were dropped since the last <see cref="TakeSummary"/>.</summary>
    public bool HasDrops => _droppedInPeriod > 0;

    /// <summary>Takes one token from the sender's bucket; <see langword="false"/> (and the drop counted) when it is empty.</summary>
    public bool TryAcquire(string sender)
    {
        if (_rate <= 0)
        {
            return true;
        }

        long now = _time.GetTimestamp();
        if (!_buckets.TryGetValue(sender, out var bucket))
        {
            bucket = NewBucket(sender, now);
        }

        double seconds = (now - bucket.Updated) / (double)_time.TimestampFrequency;
        if (seconds > 0)
        {
            bucket.Tokens = Math.Min(_burst, bucket.Tokens + (seconds * _rate));
            bucket.Updated = now;
        }

        if (bucket.Tokens >= 1)
        {
            bucket.Tokens--;
            return true;
        }

        _droppedInPeriod++;
        if (_droppedBySender.Count < MaxSenders || _droppedBySender.ContainsKey(bucket.Key))
        {
            _droppedBySender[bucket.Key] = _droppedBySender.GetValueOrDefault(bucket.Key) + 1;
        }

        return false;
    }

    /// <summary>Gets a value indicating whether a summary of drops is due: drops happened and <paramref name="interval"/> has passed since the last one.</summary>
    public bool SummaryDue(TimeSpan interval) => HasDrops && _time.GetElapsedTime(_periodStart) >= interval;

    /// <summary>Returns what was dropped since the last call, and starts a new period.</summary>
    public DropSummary TakeSummary()
    {
        var top = _droppedBySender.Count == 0 ? default : _droppedBySender.MaxBy(p => p.Value);
        var summary = new DropSummary(_droppedInPeriod, Math.Max(_droppedBySender.Count, 1), _time.GetElapsedTime(_periodStart), top.Key ?? OtherSenders, top.Value);
        _droppedInPeriod = 0;
        _droppedBySender.Clear();
        _periodStart = _time.GetTimestamp();
        return summary;
    }

    private Bucket NewBucket(string sender, long now)
    {
        if (_buckets.Count >= MaxSenders)
        {
            // A sender whose bucket has refilled is idle: forgetting it loses nothing (it would start full again).
            foreach (var (key, b) in _buckets)
            {
                if (b.Tokens + ((now - b.Updated) / (double)_time.TimestampFrequency * _rate) >= _burst)
                {
                    _buckets.Remove(key);
                }
            }

            if (_buckets.Count >= MaxSenders)
            {
                if (!_buckets.TryGetValue(OtherSenders, out var shared))
                {
                    // Make room for the shared bucket itself.
                    _buckets.Remove(_buckets.Keys.First());
                    shared = new Bucket(OtherSenders, _burst, now);
                    _buckets[OtherSenders] = shared;
                }

                return shared;
            }
        }

        var bucket = new Bucket(sender, _burst, now);
        _buckets[sender] = bucket;
        return bucket;
    }

    /// <summary>What was dropped in one period.</summary>
    internal readonly record struct DropSummary(long Dropped, int Senders, TimeSpan Period, string TopSender, long TopDropped);

    private sealed class Bucket(string key, double tokens, long updated)
    {
        public string Key { get; } = key;

        public double Tokens { get; set; } = tokens;

        public long Updated { get; set; } = updated;
    }
}
