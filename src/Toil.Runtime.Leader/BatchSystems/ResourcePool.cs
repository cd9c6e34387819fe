using Toil.Runtime.Jobs;

namespace Toil.Runtime.Leader.BatchSystems;

/// <summary>
/// Admission by cores, memory, disk and accelerators for batch systems that run on this machine: a job starts when
/// what it needs is free. Not thread-safe; the owner locks.
/// </summary>
internal sealed class ResourcePool(double cores, long memory, long disk, int accelerators)
{
    private double _cores = cores;
    private long _memory = memory;
    private long _disk = disk;
    private int _accelerators = accelerators;

    public double TotalCores { get; } = cores;

    public long TotalMemory { get; } = memory;

    public long TotalDisk { get; } = disk;

    public int TotalAccelerators { get; } = accelerators;

    public static int AcceleratorCount(JobResources resources) => resources.Accelerators.Sum(a => a.Count);

    /// <summary>Throws when <paramref name="resources"/> exceed the whole pool.</summary>
    public void Check(JobResources resources, string batchSystem)
    {
        ArgumentNullException.ThrowIfNull(resources);
        if (resources.Cores > TotalCores || resources.Memory.Bytes > TotalMemory || resources.Disk.Bytes > TotalDisk || AcceleratorCount(resources) > TotalAccelerators)
        {
            throw new InsufficientResourcesException(
                $"The job needs {resources}, but the {batchSystem} batch system offers at most {TotalCores:0.###} cores, {TotalMemory} bytes of memory, " +
                $"{TotalDisk} bytes of disk and {TotalAccelerators} accelerator(s). Lower the job's requirements or raise the batch system's limits.");
        }
    }

    public bool TryTake(JobResources resources)
    {
        int accelerators = AcceleratorCount(resources);
        if (resources.Cores > _cores + 1e-9 || resources.Memory.Bytes > _memory || resources.Disk.Bytes > _disk || accelerators > _accelerators)
        {
            return false;
        }

        _cores -= resources.Cores;
        _memory -= resources.Memory.Bytes;
        _disk -= resources.Disk.Bytes;
        _accelerators -= accelerators;
        return true;
    }

    public void Release(JobResources resources)
    {
        _cores += resources.Cores;
        _memory += resources.Memory.Bytes;
        _disk += resources.Disk.Bytes;
        _accelerators += AcceleratorCount(resources);
    }

    /// <summary>The memory this machine offers by default: what the GC sees as available.</summary>
    public static long DefaultMemory() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>The disk by default: free space on the volume of <paramref name="path"/>, or unlimited when unknown.</summary>
    public static long DefaultDisk(string path)
    {
        try
        {
            return new DriveInfo(Path.GetFullPath(path)).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return long.MaxValue;
        }
    }

    /// <summary>Whether a job asks for an accelerator kind at all (for error messages).</summary>
    public static bool WantsAccelerators(IReadOnlyList<AcceleratorRequirement> accelerators) => accelerators.Count > 0;
}
