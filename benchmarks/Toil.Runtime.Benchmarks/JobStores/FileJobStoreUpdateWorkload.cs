using System.Diagnostics;
using System.Globalization;
using Toil.Runtime.IO;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Serialization;

namespace Toil.Runtime.Benchmarks.JobStores;

/// <summary>
/// The disk's durable-replace floor (write a small temp file, fsync, rename, fsync the directory) against
/// <see cref="FileJobStore"/>'s durable job update, in interleaved batches of one run, and their ratio (target ≥ 0.6).
/// Arguments: <c>[directory] [seconds]</c>; the directory must be on the disk under test (default: the temp
/// directory).
/// </summary>
public sealed class FileJobStoreUpdateWorkload : IWorkload
{
    private const int Batch = 8;

    /// <inheritdoc />
    public string Name => "job-store-file";

    /// <inheritdoc />
    public string Description => "fsync+rename floor vs FileJobStore durable job updates (ratio, target >= 0.6)";

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] args)
    {
        string parent = args.Length > 0 ? args[0] : Path.GetTempPath();
        double seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 15;
        var duration = TimeSpan.FromSeconds(seconds);
        string work = Path.Combine(parent, "toil-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            await using var store = await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = Path.Combine(work, "store") });
            var job = new JobDescription("bench", new JobRequirements { Memory = "2Gi", Cores = 1 }, unitName: "unit");
            job.AttachBody(new JobBody("bench.body", "files-flat/file-0/body"));
            job.AddChild("kind-child/instance-00000000000000000000000000000000");
            string id = await store.CreateJobAsync(job);

            // The floor writes a record of the same size, so the two loops move the same bytes.
            byte[] record = JobDescriptionSerializer.Serialize(job);
            string floorDir = Path.Combine(work, "floor");
            Directory.CreateDirectory(floorDir);
            string target = Path.Combine(floorDir, "job");

            // Warm up both paths (JIT, directory caches) before measuring.
            Floor(target, record, 20);
            await UpdateLoopAsync(store, id, 20, load: true);

            // Interleave small batches of the three loops for the whole run, so the disk's ups and downs (other
            // processes' fsyncs on a shared machine) hit all three alike.
            long floorOps = 0, updateOps = 0, loadUpdateOps = 0;
            TimeSpan floorTime = TimeSpan.Zero, updateTime = TimeSpan.Zero, loadUpdateTime = TimeSpan.Zero;
            TimeSpan floorCpu = TimeSpan.Zero, updateCpu = TimeSpan.Zero;
            var total = Stopwatch.StartNew();
            while (total.Elapsed < duration)
            {
                TimeSpan c0 = InMemoryJobStoreWorkload.CurrentThreadCpu();
                var (n, t) = Floor(target, record, Batch);
                TimeSpan c1 = InMemoryJobStoreWorkload.CurrentThreadCpu();
                floorOps += n;
                floorTime += t;
                floorCpu += c1 - c0;
                (n, t) = await UpdateLoopAsync(store, id, Batch, load: false);
                updateCpu += InMemoryJobStoreWorkload.CurrentThreadCpu() - c1;
                updateOps += n;
                updateTime += t;
                (n, t) = await UpdateLoopAsync(store, id, Batch, load: true);
                loadUpdateOps += n;
                loadUpdateTime += t;
            }

            double floorRate = floorOps / floorTime.TotalSeconds;
            double updateRate = updateOps / updateTime.TotalSeconds;
            double loadUpdateRate = loadUpdateOps / loadUpdateTime.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"record size               {record.Length} bytes; {floorOps + updateOps + loadUpdateOps} operations in batches of {Batch} interleaved over {seconds:F0} s; directory {parent}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"floor (temp+fsync+rename+fsync dir)  {floorRate,10:F1} ops/s   {1000 / floorRate:F3} ms/op   CPU {floorCpu.TotalMilliseconds / floorOps:F3} ms/op"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FileJobStore.UpdateJobAsync          {updateRate,10:F1} ops/s   {1000 / updateRate:F3} ms/op   CPU {updateCpu.TotalMilliseconds / updateOps:F3} ms/op   ratio {updateRate / floorRate:F2}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"LoadJobAsync + UpdateJobAsync        {loadUpdateRate,10:F1} ops/s   {1000 / loadUpdateRate:F3} ms/op   ratio {loadUpdateRate / floorRate:F2}"));
            Console.WriteLine(updateRate / floorRate >= 0.6 ? "target met (update >= 0.6 of the floor)" : "TARGET MISSED (update < 0.6 of the floor)");
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The durable-replace floor: <paramref name="count"/> times temp file, fsync, rename, fsync(dir) of <paramref name="record"/> over <paramref name="target"/>. Also used by the worker workloads.</summary>
    internal static (long Ops, TimeSpan Elapsed) Floor(string target, byte[] record, int count)
    {
        string directory = Path.GetDirectoryName(target)!;
        var clock = Stopwatch.StartNew();
        long ops = 0;
        for (; ops < count; ops++)
        {
            string temp = DurableFile.NewTempPath(target);
            DurableFile.WriteNewFile(temp, record);
            File.Move(temp, target, overwrite: true);
            DurableFile.FsyncDirectory(directory);
        }

        return (ops, clock.Elapsed);
    }

    private static async Task<(long Ops, TimeSpan Elapsed)> UpdateLoopAsync(FileJobStore store, string id, int count, bool load)
    {
        var job = await store.LoadJobAsync(id);
        var clock = Stopwatch.StartNew();
        long ops = 0;
        for (; ops < count; ops++)
        {
            if (load)
            {
                job = await store.LoadJobAsync(id);
            }

            await store.UpdateJobAsync(job);
        }

        return (ops, clock.Elapsed);
    }
}
