using System.Globalization;
using Toil.Runtime.Jobs;

namespace Toil.Runtime.Leader.BatchSystems;

/// <summary>
/// The cores, memory, disk and accelerators of one machine that concurrent attempts share (the local-process and the
/// in-process batch systems): an attempt starts only when its <see cref="JobResources"/> fit in what is free, and gives
/// them back when it ends. Thread-safe. Cores are counted in thousandths so fractions add up exactly.
/// </summary>
internal sealed class ResourcePool
{
    private readonly Lock _lock = new();
    private readonly AcceleratorRequirement[] _accelerators;
    private readonly int[] _freeAccelerators;
    private readonly bool _anyAccelerator;
    private long _freeMilliCores;
    private long _freeMemory;
    private long _freeDisk;

    /// <summary>Creates a pool of the given totals.</summary>
    /// <param name="cores">The cores.</param>
    /// <param name="memory">The memory.</param>
    /// <param name="disk">The disk.</param>
    /// <param name="accelerators">The accelerators offered, each a kind (optionally model, brand and API) with a count.</param>
    /// <param name="anyAccelerator">
    /// Whether each offered accelerator satisfies any requirement (only counts matter: the in-process batch system's
    /// <see cref="InProcessBatchSystemOptions.MaxAccelerators"/>); otherwise kind, model, brand and API must match.
    /// </param>
    public ResourcePool(double cores, DataSize memory, DataSize disk, IEnumerable<AcceleratorRequirement> accelerators, bool anyAccelerator = false)
    {
        _anyAccelerator = anyAccelerator;
        TotalMilliCores = ToMilliCores(cores);
        TotalMemory = memory.Bytes;
        TotalDisk = disk.Bytes;
        _accelerators = [.. accelerators];
        _freeAccelerators = [.. _accelerators.Select(a => a.Count)];
        _freeMilliCores = TotalMilliCores;
        _freeMemory = TotalMemory;
        _freeDisk = TotalDisk;
    }

    /// <summary>
    /// Creates the pool of this machine: each total given, or else the processor count, the memory available to this
    /// process (its cgroup limit or the machine's), and the free space of <paramref name="diskDirectory"/>'s file system.
    /// </summary>
    public static ResourcePool ForThisMachine(double? cores, DataSize? memory, DataSize? disk, IEnumerable<AcceleratorRequirement> accelerators, string diskDirectory) =>
        new(cores ?? Environment.ProcessorCount, memory ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, disk ?? FreeDiskSpace(diskDirectory), accelerators);

    /// <summary>
    /// Creates the pool of the in-process batch system: the cores given, the memory and disk given or else this
    /// machine's (as <see cref="ForThisMachine"/>, disk of the temporary directory, unlimited when unreadable), and
    /// <paramref name="accelerators"/> accelerators of which any satisfies any requirement.
    /// </summary>
    public static ResourcePool ForCounts(double cores, long? memory, long? disk, int accelerators)
    {
        long freeDisk;
        try
        {
            freeDisk = disk ?? FreeDiskSpace(Path.GetTempPath());
        }
        catch (InvalidOperationException)
        {
            freeDisk = long.MaxValue;
        }

        return new(
            cores,
            memory ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
            freeDisk,
            accelerators > 0 ? [new AcceleratorRequirement(accelerators)] : [],
            anyAccelerator: true);
    }

    public long TotalMilliCores { get; }

    public long TotalMemory { get; }

    public long TotalDisk { get; }

    /// <summary>Gets how many times <see cref="TryReserve"/> was called (a batch system's queue walks, counted by a test).</summary>
    internal long Tries { get; private set; }

    /// <summary>Gets whether every core is taken: then only a job that asks for no cores can start.</summary>
    public bool NoCoreFree
    {
        get
        {
            lock (_lock)
            {
                return _freeMilliCores == 0;
            }
        }
    }

    /// <summary>Whether <paramref name="resources"/> asks for no cores (then it may start while <see cref="NoCoreFree"/>).</summary>
    /// <param name="resources">The request.</param>
    /// <returns><see langword="true"/> for a request of zero cores.</returns>
    public static bool IsCoreless(JobResources resources) => ToMilliCores(resources.Cores) == 0;

    /// <summary>Gets the cores free now.</summary>
    public double FreeCores
    {
        get
        {
            lock (_lock)
            {
                return _freeMilliCores / 1000.0;
            }
        }
    }

    /// <summary>Says why <paramref name="resources"/> can never fit in the whole pool, or <see langword="null"/> when they can.</summary>
    public string? WhyNeverFits(JobResources resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var why = new List<string>();
        if (ToMilliCores(resources.Cores) > TotalMilliCores)
        {
            why.Add(string.Create(CultureInfo.InvariantCulture, $"{resources.Cores:0.###} cores (this machine offers at most {TotalMilliCores / 1000.0:0.###} cores)"));
        }

        if (resources.Memory.Bytes > TotalMemory)
        {
            why.Add($"{DataSize.Format(resources.Memory.Bytes)} of memory (this machine offers at most {DataSize.Format(TotalMemory)})");
        }

        if (resources.Disk.Bytes > TotalDisk)
        {
            why.Add($"{DataSize.Format(resources.Disk.Bytes)} of disk (this machine offers at most {DataSize.Format(TotalDisk)})");
        }

        if (resources.Accelerators.Count > 0 && Take(resources.Accelerators, [.. _accelerators.Select(a => a.Count)]) is null)
        {
            why.Add($"accelerators {string.Join(", ", resources.Accelerators)} (this machine offers {(_accelerators.Length == 0 ? "none" : string.Join(", ", _accelerators))})");
        }

        return why.Count == 0 ? null : "The job needs " + string.Join(" and ", why) + ".";
    }

    /// <summary>Takes <paramref name="resources"/> when all of them are free now.</summary>
    /// <returns>What was taken (give it back with <see cref="Release"/>), or <see langword="null"/> when they do not fit now.</returns>
    public Reservation? TryReserve(JobResources resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        long milliCores = ToMilliCores(resources.Cores);
        lock (_lock)
        {
            Tries++;
            if (milliCores > _freeMilliCores || resources.Memory.Bytes > _freeMemory || resources.Disk.Bytes > _freeDisk)
            {
                return null;
            }

            int[]? taken = resources.Accelerators.Count == 0 ? [] : Take(resources.Accelerators, _freeAccelerators);
            if (taken is null)
            {
                return null;
            }

            _freeMilliCores -= milliCores;
            _freeMemory -= resources.Memory.Bytes;
            _freeDisk -= resources.Disk.Bytes;
            for (int i = 0; i < taken.Length; i++)
            {
                _freeAccelerators[i] -= taken[i];
            }

            return new Reservation(milliCores, resources.Memory.Bytes, resources.Disk.Bytes, taken);
        }
    }

    /// <summary>Gives back what <see cref="TryReserve"/> took.</summary>
    public void Release(Reservation reservation)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        lock (_lock)
        {
            _freeMilliCores += reservation.MilliCores;
            _freeMemory += reservation.Memory;
            _freeDisk += reservation.Disk;
            for (int i = 0; i < reservation.Accelerators.Length; i++)
            {
                _freeAccelerators[i] += reservation.Accelerators[i];
            }
        }
    }

    private static long FreeDiskSpace(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
            return new DriveInfo(directory).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new InvalidOperationException($"The free disk space of '{directory}' cannot be read; give the disk to use explicitly.", e);
        }
    }

    private static long ToMilliCores(double cores) => (long)Math.Ceiling(Math.Max(cores, 0) * 1000 - 1e-6);

    /// <summary>Picks, for every requirement, enough matching accelerators out of <paramref name="free"/> (first match first).</summary>
    /// <returns>How many of each offered accelerator to take, or <see langword="null"/> when some requirement cannot be met.</returns>
    private int[]? Take(IReadOnlyList<AcceleratorRequirement> wanted, int[] free)
    {
        int[] left = [.. free];
        int[] taken = new int[_accelerators.Length];
        foreach (var want in wanted)
        {
            int need = want.Count;
            for (int i = 0; i < _accelerators.Length && need > 0; i++)
            {
                if (_anyAccelerator || want.IsSatisfiedBy(_accelerators[i]))
                {
                    int n = Math.Min(need, left[i]);
                    left[i] -= n;
                    taken[i] += n;
                    need -= n;
                }
            }

            if (need > 0)
            {
                return null;
            }
        }

        return taken;
    }

    /// <summary>What one attempt holds.</summary>
    internal sealed record Reservation(long MilliCores, long Memory, long Disk, int[] Accelerators);
}
