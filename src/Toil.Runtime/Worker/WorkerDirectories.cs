using System.Security.Cryptography;
using System.Text;

namespace Toil.Runtime.Worker;

/// <summary>
/// Where one run works (docs/worker-algorithm.md §1 step 1): the per-node workflow directory under the work directory, the
/// node-local coordination directory (deferred functions), the run's own temporary directory and one directory per job.
/// </summary>
internal sealed class WorkerDirectories : IDisposable
{
    /// <summary>
    /// The file in a run-made temporary directory that the run holds an exclusive <c>flock</c> on while it lives: a
    /// directory whose file can be locked belongs to a killed worker (a batch system's clean-up removes it); one without
    /// the file was kept on purpose (<see cref="EndLiveness"/>, <see cref="CleanWorkDirPolicy"/>) or is not a run's, unless
    /// it is empty: then a worker was killed between making it and making the file, and the clean-up removes it too.
    /// </summary>
    public const string LivenessFileName = "worker.alive";

    /// <summary>
    /// The file beside <see cref="LivenessFileName"/> that names the run's process ID, written once the lock is held: a
    /// leader restarted on the workflow stops the runs an earlier leader left (docs/decisions.md#restart-fence).
    /// </summary>
    public const string ProcessIdFileName = "worker.pid";

    /// <summary>How often a run tries to make its directories when a concurrent removal strikes between the steps (<see cref="MakeAgainIfRemoved{T}"/>; bounded).</summary>
    internal const int CreateAttempts = 16;

    /// <summary>
    /// Keeps this process's runs from removing an empty workflow directory (<see cref="RemoveIfEmpty"/>) while another run
    /// makes its directories in it (<see cref="MakePath"/>): both hold it for a few directory calls, never while waiting.
    /// </summary>
    private static readonly Lock DirectoryGate = new();

    // Private whatever the umask (docs/job-store-format.md, "Who can read a store"): jobs keep their inputs here.
    private const UnixFileMode PrivateDirectory = IO.AccessModes.PrivateDirectory;

    private static readonly Lazy<string> NodeId = new(ReadNodeId);
    private static volatile ComponentName? s_lastComponent;
    private readonly Lock _makeLock = new();
    private int _jobs;
    private FileStream? _liveness;
    private bool _made;
    private bool _nameProcess;
    private bool _disposed;
    private Action? _ensure;

    private WorkerDirectories(string workflowDirectory, string coordinationDirectory, string tempDirectory, bool tempCreated)
    {
        WorkflowDirectory = workflowDirectory;
        CoordinationDirectory = coordinationDirectory;
        TempDirectory = tempDirectory;
        TempDirectoryCreated = tempCreated;
    }

    public string WorkflowDirectory { get; }

    public string CoordinationDirectory { get; }

    public string TempDirectory { get; }

    /// <summary>
    /// Whether <see cref="TempDirectory"/> is the run's own (made by it, now or when first needed: <see cref="TempDirectoryMade"/>);
    /// a caller-given one is the caller's.
    /// </summary>
    public bool TempDirectoryCreated { get; }

    public string LogPath => Path.Combine(TempDirectory, WorkerLogFile.FileName);

    /// <param name="options">Where the directories go.</param>
    /// <param name="workflowId">The workflow's ID.</param>
    /// <param name="requestedTempDirectory">A caller-given temporary directory, or <see langword="null"/> for one of the run's own.</param>
    /// <param name="nameProcess">
    /// Whether the run owns its process (process mode): then <see cref="ProcessIdFileName"/> names it for a restarted
    /// leader's fence. An in-process run dies with its leader and needs no name.
    /// </param>
    /// <remarks>
    /// An in-process run's own temporary directory is only named here: it is made, with its liveness lock, when something
    /// first needs it (<see cref="EnsureTempDirectory"/>: a job's local disk, a spooled stats list, a log past its memory
    /// limit, a directory kept at the end). Most in-process runs never need it, and two inodes and two directory
    /// removals per run were the fan-out's largest cost (docs/decisions.md#lazy-worker-directory). A process-mode run and
    /// a caller-given directory are made at once: the first holds its liveness lock for the run's whole life (a restarted
    /// leader's fence and the batch system's clean-up look for it), the second is the caller's.
    /// </remarks>
    public static WorkerDirectories Create(WorkerOptions options, string workflowId, string? requestedTempDirectory, bool nameProcess)
    {
        var (workDir, workflowPath, coordinationDir) = Locate(options, workflowId);
        if (!Directory.Exists(workDir))
        {
            throw new DirectoryNotFoundException($"The work directory '{workDir}' does not exist.");
        }

        if (requestedTempDirectory is not null)
        {
            string full = Path.GetFullPath(requestedTempDirectory);
            bool existed = Directory.Exists(full);
            MakeAgainIfRemoved(() =>
            {
                MakePath(workflowPath, coordinationDir, full);
                return full;
            });
            return new WorkerDirectories(workflowPath, coordinationDir, full, tempCreated: !existed) { _made = true };
        }

        var dirs = new WorkerDirectories(workflowPath, coordinationDir, Path.Combine(workflowPath, "worker-" + Guid.NewGuid().ToString("N")), tempCreated: true)
        {
            _nameProcess = nameProcess,
        };
        if (nameProcess)
        {
            dirs.EnsureTempDirectory();
        }

        return dirs;
    }

    /// <summary>Whether <see cref="TempDirectory"/> exists now (a lazily made one: <see cref="EnsureTempDirectory"/> was called).</summary>
    public bool TempDirectoryMade => Volatile.Read(ref _made);

    /// <summary>
    /// Makes the run's own temporary directory and takes its liveness lock (and, in process mode, names the process),
    /// if that is not done yet; safe from any thread. Returns <see cref="TempDirectory"/>.
    /// </summary>
    /// <exception cref="IOException">The directory or its liveness file could not be made.</exception>
    public string EnsureTempDirectory()
    {
        if (Volatile.Read(ref _made))
        {
            return TempDirectory;
        }

        lock (_makeLock)
        {
            if (!_made)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                Make();
                Volatile.Write(ref _made, true);
            }
        }

        return TempDirectory;
    }

    /// <summary>
    /// <see cref="EnsureTempDirectory"/> as a delegate for what makes files in the directory (the job's file store, the
    /// stats spool, the in-memory log), or <see langword="null"/> once the directory exists: made once per run.
    /// </summary>
    public Action? EnsureTempDirectoryAction => TempDirectoryMade ? null : _ensure ??= () => EnsureTempDirectory();

    private void Make()
    {
        // A finishing run of the same workflow removes the workflow (and coordination) directory when it is empty
        // (RemoveIfEmpty), and a batch system's clean-up removes an empty worker-* directory it takes for one a worker
        // killed before its liveness file left behind (WorkerCleanup). In this process, DirectoryGate keeps the first
        // apart from the making of the directories below. A run in another process, or the clean-up, can still strike
        // between two of the steps, which then fail with DirectoryNotFoundException (or FileNotFoundException, as .NET
        // reports some of these): each attempt makes the whole path again. Once the liveness file exists neither
        // removal applies (a directory with something in it is never removed).
        FileStream liveness = MakeAgainIfRemoved(() =>
        {
            MakePath(WorkflowDirectory, CoordinationDirectory, TempDirectory);

            // FileShare.None is flock(LOCK_EX|LOCK_NB) on Unix; the kernel drops it when the process dies, however it dies.
            return new FileStream(Path.Combine(TempDirectory, LivenessFileName), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        });

        if (_nameProcess)
        {
            try
            {
                // Written whole or not at all (a reader sees no file or the full number): the rename is atomic.
                string pidTemp = Path.Combine(TempDirectory, ProcessIdFileName + ".tmp");
                File.WriteAllText(pidTemp, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
                File.Move(pidTemp, Path.Combine(TempDirectory, ProcessIdFileName));
            }
            catch
            {
                liveness.Dispose();
                throw;
            }
        }

        _liveness = liveness;
    }

    /// <summary>What the liveness file of a run's temporary directory says (<see cref="ProbeLiveness"/>).</summary>
    internal enum Liveness
    {
        /// <summary>No liveness file: not a run's directory, or one kept on purpose.</summary>
        NotARun,

        /// <summary>The file is locked: the run lives.</summary>
        Alive,

        /// <summary>The file is unlocked: the run was killed (its directory is a batch system's to clean up).</summary>
        Ended,
    }

    /// <summary>The name of a workflow's per-node directory under the work directory (<c>toilwf-</c> and <see cref="WorkflowComponent"/>).</summary>
    internal static string WorkflowDirectoryName(string workflowId) => "toilwf-" + WorkflowComponent(workflowId);

    /// <summary>Probes the liveness lock of a run's temporary directory (<c>worker-*</c>) without holding it.</summary>
    internal static Liveness ProbeLiveness(string workerDirectory)
    {
        string path = Path.Combine(workerDirectory, LivenessFileName);
        using (var unlocked = Deferred.DeferredFunctionRunner.TryLock(path))
        {
            if (unlocked is not null)
            {
                return Liveness.Ended;
            }
        }

        return File.Exists(path) ? Liveness.Alive : Liveness.NotARun;
    }

    /// <summary>
    /// Where a worker of <paramref name="workflowId"/> on this node keeps its directories under <paramref name="options"/>
    /// (Toil's rules: the work directory from the options, <c>TOIL_WORKDIR</c> or the temp directory; the coordination
    /// directory from the options, <c>TOIL_COORDINATION_DIR</c>, <c>XDG_RUNTIME_DIR/toil</c> outside Slurm, or the work
    /// directory). Nothing is made; a batch system's clean-up on this node looks in the same places.
    /// </summary>
    internal static (string WorkDirectory, string WorkflowDirectory, string CoordinationDirectory) Locate(WorkerOptions options, string workflowId)
    {
        string workDir = Path.GetFullPath(options.WorkDir ?? (Environment.GetEnvironmentVariable("TOIL_WORKDIR") is { Length: > 0 } env ? env : Path.GetTempPath()));
        string component = WorkflowDirectoryName(workflowId);
        string coordinationBase = options.CoordinationDir
            ?? (Environment.GetEnvironmentVariable("TOIL_COORDINATION_DIR") is { Length: > 0 } c ? c : null)
            ?? (Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } xdg && Directory.Exists(xdg) && Environment.GetEnvironmentVariable("SLURM_JOB_ID") is null
                ? Path.Combine(xdg, "toil")
                : workDir);
        return (workDir, Path.Combine(workDir, component), Path.GetFullPath(Path.Combine(coordinationBase, component)));
    }

    /// <summary>
    /// After the run removed the temporary directory it made: removes this node's workflow directory and coordination
    /// directory when nothing else is in them (another worker of the workflow keeps them; a run of this process that
    /// starts meanwhile waits for the <see cref="DirectoryGate"/>, one of another process makes them again), so a finished
    /// in-process run leaves nothing in the work directory (docs/decisions.md, "Nothing left behind").
    /// </summary>
    public void RemoveIfEmpty()
    {
        string deferred = Path.Combine(CoordinationDirectory, Deferred.DeferredFunctionManager.DirectoryName);
        if (!TempDirectoryMade && !Directory.Exists(deferred))
        {
            // The run made nothing: no temporary directory, and no deferred-functions directory (its manager makes it,
            // and the workflow and coordination directories with it, when a job defers). Every directory this run could
            // have made is then either gone or another run's, which removes it in turn; a stat, not three rmdirs, each
            // holding the parent directory's lock that every concurrent run needs.
            return;
        }

        lock (DirectoryGate)
        {
            foreach (string directory in new[] { deferred, CoordinationDirectory, WorkflowDirectory })
            {
                try
                {
                    // Not recursive: a directory that is not empty is another worker's and stays.
                    Directory.Delete(directory);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                }
            }
        }
    }

    /// <summary>Deletes the temporary directory when the run made it (a caller-given one stays); a failure leaves it to a batch system's clean-up.</summary>
    public void DeleteTempDirectory()
    {
        if (!TempDirectoryCreated || !TempDirectoryMade)
        {
            return;
        }

        try
        {
            Directory.Delete(TempDirectory, recursive: true);
            RemoveIfEmpty();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>At the run's orderly end: unlocks and deletes the liveness file, so a temporary directory kept for inspection is not taken for a killed worker's.</summary>
    public void EndLiveness()
    {
        FileStream? liveness;
        lock (_makeLock)
        {
            liveness = _liveness;
            _liveness = null;
        }

        if (liveness is not null)
        {
            liveness.Dispose();
            try
            {
                File.Delete(Path.Combine(TempDirectory, LivenessFileName));
                File.Delete(Path.Combine(TempDirectory, ProcessIdFileName));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>Unlocks the liveness file and leaves it (a run that did not end in order, such as a simulated crash, looks killed).</summary>
    public void Dispose()
    {
        lock (_makeLock)
        {
            _disposed = true;
            _liveness?.Dispose();
            _liveness = null;
        }
    }

    /// <summary>The mode the run's directories are made with (Unix).</summary>
    public static UnixFileMode DirectoryMode => PrivateDirectory;

    /// <summary>
    /// Names the next job's own directory under the run's temporary directory without making it: the job's file store
    /// makes it when the job first asks for local disk, so jobs that never do (most chained ones) cost no <c>mkdir</c>.
    /// </summary>
    public string NextJobDirectory()
    {
        int n = Interlocked.Increment(ref _jobs);
        return n == 1
            ? Path.Combine(TempDirectory, "job")
            : Path.EndsInDirectorySeparator(TempDirectory)
                ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{TempDirectory}job-{n}")
                : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{TempDirectory}{Path.DirectorySeparatorChar}job-{n}");
    }

    /// <summary>The same name on every worker of the workflow on this node, and a different one on another node sharing the work directory.</summary>
    internal static string WorkflowComponent(string workflowId)
    {
        // The last workflow's name is kept: every run of a workflow asks for the same one (a hash per run otherwise).
        if (s_lastComponent is { } last && last.WorkflowId == workflowId)
        {
            return last.Component;
        }

        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(NodeId.Value + "\n" + workflowId));
        string component = Convert.ToHexStringLower(hash.AsSpan(0, 16));
        s_lastComponent = new ComponentName(workflowId, component);
        return component;
    }

    /// <summary>
    /// Runs <paramref name="make"/>, again when a concurrent removal (see <see cref="Make"/>) made it fail with
    /// <see cref="DirectoryNotFoundException"/> or <see cref="FileNotFoundException"/>, at most <see cref="CreateAttempts"/>
    /// times: each removal needs another run to finish or a clean-up pass in the instant between two of its steps.
    /// </summary>
    private static T MakeAgainIfRemoved<T>(Func<T> make)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return make();
            }
            catch (IOException e) when (e is DirectoryNotFoundException or FileNotFoundException && attempt < CreateAttempts)
            {
            }
        }
    }

    /// <summary>Makes the workflow, coordination and temporary directories, apart from this process's removals (<see cref="DirectoryGate"/>).</summary>
    private static void MakePath(string workflowDirectory, string coordinationDirectory, string tempDirectory)
    {
        lock (DirectoryGate)
        {
            CreatePrivate(workflowDirectory);
            CreatePrivate(coordinationDirectory);
            CreatePrivate(tempDirectory);
        }
    }

    private static string CreatePrivate(string path)
    {
        IO.AccessModes.CreateDirectory(path, PrivateDirectory);
        return path;
    }

    private static string ReadNodeId()
    {
        foreach (string file in new[] { "/etc/machine-id", "/var/lib/dbus/machine-id", "/proc/sys/kernel/random/boot_id" })
        {
            try
            {
                string id = File.ReadAllText(file).Trim();
                if (id.Length > 0)
                {
                    return id;
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return Environment.MachineName;
    }

    /// <summary>A workflow's ID and its directory component (<see cref="WorkflowComponent"/>), kept as one reference.</summary>
    private sealed record ComponentName(string WorkflowId, string Component);
}
