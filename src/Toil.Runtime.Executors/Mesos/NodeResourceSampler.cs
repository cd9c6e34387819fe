using System.Globalization;

namespace Toil.Runtime.Executors.Mesos;

/// <summary>Samples the node's CPU and memory use from <c>/proc</c> (zeros where it is not available).</summary>
internal sealed class NodeResourceSampler
{
    private (ulong Busy, ulong Total)? last;

    public void Prime() => last = ReadCpu();

    public MesosNodeInfo Sample(int workers)
    {
        var now = ReadCpu();
        double coresUsed = 0;
        if (now is { } n && last is { } l && n.Total > l.Total)
        {
            coresUsed = (double)(n.Busy - l.Busy) / (n.Total - l.Total);
        }

        last = now;
        var (total, available) = ReadMemory();
        return new MesosNodeInfo
        {
            CoresUsed = Math.Clamp(coresUsed, 0, 1),
            MemoryUsed = total > 0 ? Math.Clamp((double)(total - available) / total, 0, 1) : 0,
            CoresTotal = Environment.ProcessorCount,
            MemoryTotal = total > 0 ? total : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
            Workers = workers,
        };
    }

    private static (ulong Busy, ulong Total)? ReadCpu()
    {
        try
        {
            string? line = File.ReadLines("/proc/stat").FirstOrDefault(l => l.StartsWith("cpu ", StringComparison.Ordinal));
            if (line is null)
            {
                return null;
            }

            ulong[] fields = [.. line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
                .Select(f => ulong.Parse(f, CultureInfo.InvariantCulture))];
            ulong total = 0;
            foreach (ulong f in fields)
            {
                total += f;
            }

            // idle and iowait are not busy time.
            ulong idle = fields[3] + (fields.Length > 4 ? fields[4] : 0);
            return (total - idle, total);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private static (long Total, long Available) ReadMemory()
    {
        try
        {
            long total = 0, available = 0;
            foreach (string line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                {
                    total = KiB(line);
                }
                else if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                {
                    available = KiB(line);
                }
            }

            return (total, available);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            return (0, 0);
        }
    }

    private static long KiB(string line) =>
        1024 * long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
