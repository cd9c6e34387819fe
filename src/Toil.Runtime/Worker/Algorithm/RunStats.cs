using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Toil.Runtime.FileStores;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Stats;

namespace Toil.Runtime.Worker;

/// <summary>
/// The stats of one run (<c>docs/worker-algorithm.md</c> §3 step 5 and §4 step 6): a record per job body with its wall
/// and CPU time, peak memory and disk use, the leader messages and user streams of its file store, the bytes the job wrote and read through it, the CPU-use warning,
/// the chain's totals and the names of the jobs run. The lists that grow with the chain are spooled to the run's
/// directory past the first thousand (<see cref="StatsSpool"/>), so a long chain's memory stays flat.
/// </summary>
internal sealed class RunStats : IDisposable
{
    private readonly StatsDocument _stats = new();
    private readonly StatsSpool _spool;
    private readonly List<JobNames> _jobsRun = [];
    private readonly int _maxJobsRunListed;
    private readonly TimeProvider _time;
    private int _jobsRunCount;
    private long _maxDisk;
    private long _chainStart;
    private TimeSpan _cpuStart;

    // The CPU clock read at the end of a job that chained on, which is also the next job's start reading: between the
    // two the worker only steps its loop on the same thread (docs/decisions.md#worker).
    private TimeSpan? _chainedCpu;

    // The jobs of a chain mostly request the same cores and see the same peak memory: the last text is reused while
    // the value is the same (docs/performance.md, "Allocations of a chained job").
    private double _coresValue = double.NaN;
    private string _coresText = string.Empty;
    private long? _peakKibValue;
    private string _peakKibText = string.Empty;

    /// <summary>Creates the stats of a run.</summary>
    /// <param name="directory">The run's temporary directory, where the long lists spool.</param>
    /// <param name="recordNames">Whether the chain's names are kept for the stats' <c>logs</c> block.</param>
    /// <param name="maxJobsRunListed">How many jobs <see cref="JobsRun"/> lists (<see cref="WorkerOptions.MaxJobsRunListed"/>).</param>
    /// <param name="time">The clock.</param>
    /// <param name="spillFailed">Called once if spooling fails (the rest stays in memory).</param>
    /// <param name="ensureDirectory">Makes <paramref name="directory"/> before the first spool file, or <see langword="null"/>.</param>
    public RunStats(string directory, bool recordNames, int maxJobsRunListed, TimeProvider time, Action<Exception> spillFailed, Action? ensureDirectory = null)
    {
        _spool = new StatsSpool(directory, recordNames, spillFailed: spillFailed, ensureDirectory: ensureDirectory);
        _maxJobsRunListed = maxJobsRunListed;
        _time = time;
    }

    /// <summary>The names of the first <see cref="WorkerOptions.MaxJobsRunListed"/> jobs whose bodies ran.</summary>
    public IReadOnlyList<JobNames> JobsRun => _jobsRun;

    /// <summary>How many job bodies ran.</summary>
    public int JobsRunCount => _jobsRunCount;

    /// <summary>The largest disk use of a job so far, in bytes.</summary>
    public long MaxDisk => _maxDisk;

    /// <summary>The document as collected so far (the spooled lists excepted).</summary>
    public StatsDocument Document => _stats;

    /// <summary>Starts the chain's clocks after the issued job was prepared; its chain's names so far are recorded.</summary>
    /// <param name="job">The issued job.</param>
    public void StartChain(JobDescription job)
    {
        foreach (var chained in job.GetChain())
        {
            _spool.AddName(chained.StatsName);
        }

        _stats.Workers.RequestedCores = job.Cores;
        _chainStart = _time.GetTimestamp();

        // The chain's CPU clock and its first job's start from one reading (one getrusage instead of two).
        _cpuStart = CpuTime();
        _chainedCpu = _cpuStart;
    }

    /// <summary>Records a job chained in (its stats name).</summary>
    /// <param name="statsName">The chained job's stats name.</param>
    public void AddChained(string statsName) => _spool.AddName(statsName);

    /// <summary>
    /// Counts a job body about to run and starts its clocks. A job that follows one which chained into it starts its CPU
    /// clock at the reading that ended the predecessor's (one <c>getrusage</c> per chained job instead of two).
    /// </summary>
    /// <param name="job">The job.</param>
    /// <param name="names">Its names before it ran (before a successor takes its ID).</param>
    /// <returns>What <see cref="EndJob"/> needs.</returns>
    public JobMeasurement BeginJob(JobDescription job, JobNames names)
    {
        if (_jobsRunCount++ < _maxJobsRunListed)
        {
            _jobsRun.Add(names);
        }

        var record = new JobStatsRecord
        {
            Start = Seconds(_time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0),
            ClassName = job.DisplayName,
            JobStoreId = job.JobStoreId,
            JobName = job.JobName,
            RequestedCores = CoresText(job.Cores),
        };
        TimeSpan cpu = _chainedCpu ?? CpuTime();
        _chainedCpu = null;
        return new JobMeasurement(record, _time.GetTimestamp(), cpu);
    }

    /// <summary>
    /// Completes a job's record, success or failure: wall and CPU time, peak memory, the disk its store used (measured
    /// here only when the store does not know it), the CPU-use check, and the store's leader messages and user streams.
    /// </summary>
    /// <param name="measurement">What <see cref="BeginJob"/> returned.</param>
    /// <param name="job">The job.</param>
    /// <param name="fileStore">The job's file store.</param>
    /// <param name="jobDirectory">The job's local temporary directory.</param>
    /// <param name="succeeded">Whether the body and its commit succeeded.</param>
    /// <param name="log">The run's logger.</param>
    /// <param name="chainedOn">Whether the worker goes straight on to the next job's <see cref="BeginJob"/> on this thread
    /// (the job chained into a successor): the CPU reading that ends this job then also starts that one.</param>
    public void EndJob(JobMeasurement measurement, JobDescription job, IChainingFileStore fileStore, string jobDirectory, bool succeeded, ILogger log, bool chainedOn = false)
    {
        long disk = fileStore.KnownDiskUsed ?? DirectorySize(jobDirectory);
        _maxDisk = Math.Max(_maxDisk, disk);
        double wall = _time.GetElapsedTime(measurement.Start).TotalSeconds;

        // One getrusage gives both the job's CPU time and the peak memory its record reports.
        var (cpuEnd, peakKib) = ResourceUsage();
        _chainedCpu = chainedOn ? cpuEnd : null;
        double cpuSeconds = (cpuEnd - measurement.Cpu).TotalSeconds;
        var record = measurement.Record;
        record.Time = Seconds(wall);
        record.Clock = Seconds(cpuSeconds);
        if (CpuUsageCheck.Evaluate(job, wall, cpuSeconds, job.Cores, out bool invalidCores) is { } warning)
        {
            fileStore.LogToLeader(warning, LogLevel.Warning);
        }
        else if (invalidCores)
        {
            WorkerRunnerLog.InvalidCores(log, job.Cores, job);
        }

        record.Memory = PeakKibText(peakKib);
        record.Disk = disk.ToString(CultureInfo.InvariantCulture);
        record.FileBytesWritten = fileStore.BytesWritten.ToString(CultureInfo.InvariantCulture);
        record.FileBytesRead = fileStore.BytesRead.ToString(CultureInfo.InvariantCulture);
        record.Succeeded = succeeded ? "True" : "False";
        _spool.AddJob(record);
        foreach (var message in fileStore.LeaderMessages)
        {
            _spool.AddLeaderMessage(new LeaderMessageRecord { Text = message.Text, Level = PythonLevel(message.Level) });
        }

        foreach (var stream in fileStore.UserStreams)
        {
            _spool.AddUserStream(new UserStreamRecord { Name = stream.Name, Text = stream.Text });
        }
    }

    /// <summary>Records the totals of a chain that finished: wall and CPU time, peak memory, largest disk use, jobs run.</summary>
    /// <returns>The chain's wall time in seconds.</returns>
    public double FinishChain()
    {
        double wall = _time.GetElapsedTime(_chainStart).TotalSeconds;
        _stats.Workers.Time = Seconds(wall);

        // The CPU time and the peak memory from one reading.
        var (cpu, peakKib) = ResourceUsage();
        _stats.Workers.Clock = Seconds((cpu - _cpuStart).TotalSeconds);
        _stats.Workers.Memory = peakKib.ToString(CultureInfo.InvariantCulture);
        _stats.Workers.Disk = _maxDisk.ToString(CultureInfo.InvariantCulture);
        _stats.Workers.JobsRun = _jobsRunCount;
        return wall;
    }

    /// <summary>Puts a successful run's log into the stats' <c>logs</c> block, with the chain's names.</summary>
    /// <param name="job">The final description.</param>
    /// <param name="lines">The log's lines.</param>
    public void AddLog(JobDescription job, List<string> lines) =>
        _stats.Logs = new WorkerLogsRecord
        {
            // Names spooled along the chain are written from the spool; otherwise the final chain names them.
            Names = _spool.NameCount > 0 ? [] : [.. job.GetChain().Select(n => n.StatsName)],
            Messages = lines,
        };

    /// <summary>Sends the stats to the store (one message), then frees the spool.</summary>
    /// <param name="store">The job store.</param>
    /// <param name="token">Cancels the operation.</param>
    /// <returns>A task that completes when the stats are written.</returns>
    public async ValueTask WriteAsync(IJobStore store, CancellationToken token)
    {
        try
        {
            await _spool.WriteAsync(store, _stats, token).ConfigureAwait(false);
        }
        finally
        {
            _spool.Dispose();
        }
    }

    /// <summary>Frees the spool.</summary>
    public void Dispose() => _spool.Dispose();

    private string CoresText(double cores)
    {
        // Bitwise equality: 0.0 and -0.0 format differently, and NaN is never reused.
        if (BitConverter.DoubleToInt64Bits(cores) != BitConverter.DoubleToInt64Bits(_coresValue) || double.IsNaN(cores))
        {
            _coresText = cores.ToString(CultureInfo.InvariantCulture);
            _coresValue = cores;
        }

        return _coresText;
    }

    private string PeakKibText(long peakKib)
    {
        if (peakKib != _peakKibValue)
        {
            _peakKibText = peakKib.ToString(CultureInfo.InvariantCulture);
            _peakKibValue = peakKib;
        }

        return _peakKibText;
    }

    internal static string Seconds(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    internal static int PythonLevel(LogLevel level) => level switch
    {
        LogLevel.Trace => 5,
        LogLevel.Debug => 10,
        LogLevel.Information => 20,
        LogLevel.Warning => 30,
        LogLevel.Error => 40,
        LogLevel.Critical => 50,
        _ => 0,
    };

    internal static long DirectorySize(string? path)
    {
        if (path is null || !Directory.Exists(path))
        {
            return 0;
        }

        long total = 0;
        try
        {
            foreach (var file in new DirectoryInfo(path).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint }))
            {
                total += file.Length;
            }
        }
        catch (IOException)
        {
        }

        return total;
    }

    private static TimeSpan CpuTime() =>
        UnixFileDescriptors.ResourceUsage() is { } usage ? usage.Cpu : Environment.CpuUsage.TotalTime;

    /// <summary>The process's CPU time (all threads) and peak resident memory in KiB, from one system call where there is one.</summary>
    private static (TimeSpan Cpu, long PeakKib) ResourceUsage() =>
        UnixFileDescriptors.ResourceUsage() is { } usage
            ? (usage.Cpu, usage.PeakResidentKib)
            : (Environment.CpuUsage.TotalTime, PeakMemoryKib());

    private static long PeakMemoryKib()
    {
        if (Environment.Is64BitProcess && UnixFileDescriptors.PeakResidentKib() is >= 0 and var kib)
        {
            return kib;
        }

        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64 / 1024;
    }

    /// <summary>A job's record and the clocks at its start.</summary>
    /// <param name="Record">The record being filled.</param>
    /// <param name="Start">The timestamp at the start.</param>
    /// <param name="Cpu">The process's CPU time at the start.</param>
    internal readonly record struct JobMeasurement(JobStatsRecord Record, long Start, TimeSpan Cpu);
}
