using System.Diagnostics;
using System.Globalization;
using Toil.Runtime.IO;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Serialization;

namespace Toil.Runtime.Benchmarks.JobStores;

/// <summary>
/// The disk's durable-replace floor (write a small temp file, fsync, rename, fsync the directory) against
/// <see cref="FileJobStore"/>'s durable job update, in alternating rounds of one run, and their ratio (target ≥ 0.6).
/// Arguments: <c>[directory] [seconds per round]</c>; the directory must be on the disk under test (default: the temp
/// directory).
/// </summary>
public sealed class FileJobStoreUpdateWorkload : IWorkload
{
    private const int Rounds = 4;

    /// <inheritdoc />
    public string Name => "job-store-file";

    /// <inheritdoc />
    public string Description => "fsync+rename floor vs FileJobStore durable job updates (ratio, target >= 0.6)";

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] args)
    {
        string parent = args.Length > 0 ? args[0] : Path.GetTempPath();
        double seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 1.5;
        var round = TimeSpan.FromSeconds(seconds);
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
            Floor(target, record, TimeSpan.FromMilliseconds(200));
            await UpdateLoopAsync(store, id, TimeSpan.FromMilliseconds(200), load: false);

            long floorOps = 0, updateOps = 0, loadUpdateOps = 0;
            TimeSpan floorTime = TimeSpan.Zero, updateTime = TimeSpan.Zero, loadUpdateTime = TimeSpan.Zero;
            for (int r = 0; r < Rounds; r++)
            {
                // Alternate, so drift in the machine's load hits all three alike.
                var (n, t) = Floor(target, record, round);
                floorOps += n;
                floorTime += t;
                (n, t) = await UpdateLoopAsync(store, id, round, load: false);
                updateOps += n;
                updateTime += t;
                (n, t) = await UpdateLoopAsync(store, id, round, load: true);
                loadUpdateOps += n;
                loadUpdateTime += t;
            }

            double floorRate = floorOps / floorTime.TotalSeconds;
            double updateRate = updateOps / updateTime.TotalSeconds;
            double loadUpdateRate = loadUpdateOps / loadUpdateTime.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"record size               {record.Length} bytes; {Rounds} rounds of {seconds:F1} s each; directory {parent}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"floor (temp+fsync+rename+fsync dir)  {floorRate,10:F1} ops/s   {1000 / floorRate:F3} ms/op"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FileJobStore.UpdateJobAsync          {updateRate,10:F1} ops/s   {1000 / updateRate:F3} ms/op   ratio {updateRate / floorRate:F2}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"LoadJobAsync + UpdateJobAsync        {loadUpdateRate,10:F1} ops/s   {1000 / loadUpdateRate:F3} ms/op   ratio {loadUpdateRate / floorRate:F2}"));
            Console.WriteLine(updateRate / floorRate >= 0.6 ? "target met (update >= 0.6 of the floor)" : "TARGET MISSED (update < 0.6 of the floor)");
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The durable-replace floor: temp file, fsync, rename, fsync(dir) of <paramref name="record"/> over <paramref name="target"/> for <paramref name="duration"/>. Also used by the worker workloads.</summary>
    internal static (long Ops, TimeSpan Elapsed) Floor(string target, byte[] record, TimeSpan duration)
    {
        string directory = Path.GetDirectoryName(target)!;
        var clock = Stopwatch.StartNew();
        long ops = 0;
        while (clock.Elapsed < duration)
        {
            string temp = DurableFile.NewTempPath(target);
            DurableFile.WriteNewFile(temp, record);
            File.Move(temp, target, overwrite: true);
            DurableFile.FsyncDirectory(directory);
            ops++;
        }

        return (ops, clock.Elapsed);
    }

    private static async Task<(long Ops, TimeSpan Elapsed)> UpdateLoopAsync(FileJobStore store, string id, TimeSpan duration, bool load)
    {
        var job = await store.LoadJobAsync(id);
        var clock = Stopwatch.StartNew();
        long ops = 0;
        while (clock.Elapsed < duration)
        {
            if (load)
            {
                job = await store.LoadJobAsync(id);
            }

            await store.UpdateJobAsync(job);
            ops++;
        }

        return (ops, clock.Elapsed);
    }
}
