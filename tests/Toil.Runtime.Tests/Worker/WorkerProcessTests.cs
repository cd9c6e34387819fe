using System.Diagnostics;
using System.Text;
using Toil.Runtime.Authoring;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Testing.Processes;
using Toil.Runtime.TestHost;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Worker;

/// <summary>
/// Real worker processes (<c>ToilWorkerEntryPoint</c> hosted by the test host, and the <c>toil worker</c> tool) on a
/// file job store: exit codes, the failure log, and deferred functions of a worker killed with SIGKILL.
/// </summary>
[CancelAfter(300_000)]
public sealed class WorkerProcessTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    private static readonly JobTypeRegistry Registry = new(
        WorkerTestJobs.TouchJob.Registration, WorkerTestJobs.FailJob.Registration, WorkerTestJobs.ExitJob.Registration, WorkerTestJobs.DeferAndHangJob.Registration);

    private string _root = null!;
    private string _storeDir = null!;
    private string _workDir = null!;

    private string Locator => "file:" + _storeDir;

    [SetUp]
    public void SetUp()
    {
        _root = Path.Combine(Path.GetTempPath(), "toil-worker-process-" + Guid.NewGuid().ToString("N"));
        _storeDir = Path.Combine(_root, "store");
        _workDir = Path.Combine(_root, "work");
        Directory.CreateDirectory(_workDir);
    }

    [TearDown]
    public void TearDown()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Test]
    public async Task WorkerProcess_MissingJobStore_Exits76WithSharedFilesystemHint()
    {
        var (code, _, stderr) = await TestHostProcess.RunAsync(Bound, WorkerEntryScenario.ScenarioName, _workDir, "test_job", "file:/nonexistent/path/jobstore", "some_job_id");

        code.Should().Be(76);
        stderr.Should().Contain("Could not access the job store at 'file:/nonexistent/path/jobstore'").And.Contain("shared filesystem");
    }

    [Test]
    public async Task WorkerProcess_BadArguments_ExitsWithUsageError()
    {
        var (code, _, stderr) = await TestHostProcess.RunAsync(Bound, WorkerEntryScenario.ScenarioName, _workDir, "only-a-job-name");

        code.Should().Be(2);
        stderr.Should().Contain("usage: worker JOBNAME JOBSTORELOCATOR JOBSTOREID");
    }

    [Test]
    public async Task WorkerProcess_TrivialJobOnFileJobStore_RunsItDeletesItAndExits0()
    {
        string marker = Path.Combine(_root, "touched");
        string id = await CreateJobAsync<WorkerTestJobs.TouchJob, WorkerTestJobs.MarkerInput>(new(marker));

        var (code, stdout, stderr) = await RunWorkerAsync(WorkerTestJobs.Touch, id);

        code.Should().Be(0, $"stdout: {stdout} stderr: {stderr}");
        (await File.ReadAllTextAsync(marker)).Should().Be("ran");
        await using var store = await FileJobStore.OpenAsync(_storeDir);
        (await store.JobExistsAsync(id)).Should().BeFalse("a finished job is deleted by its worker");
    }

    [Test]
    public async Task WorkerProcess_LaunchingLeaderIsGone_Exits69WithoutTouchingTheJob()
    {
        // The restart fence (docs/decisions.md#restart-fence): a worker a killed leader launched, which takes its lock
        // after the restarted leader's fence looked, must not run the job while the new leader cleans up.
        string marker = Path.Combine(_root, "touched");
        string id = await CreateJobAsync<WorkerTestJobs.TouchJob, WorkerTestJobs.MarkerInput>(new(marker));
        long versionBefore;
        await using (var before = await FileJobStore.OpenAsync(_storeDir))
        {
            versionBefore = (await before.LoadJobAsync(id)).Version;
        }

        string goneLeader;
        using (var leader = Process.Start(new ProcessStartInfo("sleep", "30"))!)
        {
            goneLeader = LaunchingLeader.Describe(leader.Id)!;
            leader.Kill();
            await leader.WaitForExitAsync().WaitAsync(Bound);
        }

        var psi = TestHostProcess.StartInfo(WorkerEntryScenario.ScenarioName, _workDir, WorkerTestJobs.Touch, Locator, id);
        psi.Environment[LaunchingLeader.Variable] = goneLeader;
        var (code, stdout, stderr) = await TestHostProcess.RunAsync(psi, Bound);

        code.Should().Be(WorkerExitCodes.LeaderGone, $"stdout: {stdout} stderr: {stderr}");
        File.Exists(marker).Should().BeFalse("the job's body did not run");
        await using var store = await FileJobStore.OpenAsync(_storeDir);
        (await store.LoadJobAsync(id)).Version.Should().Be(versionBefore, "the job's record was not touched");
        Directory.EnumerateDirectories(_workDir, "worker-*", SearchOption.AllDirectories).Should().BeEmpty("the worker removed its directory");

        // The same worker with its leader alive runs the job.
        psi.Environment[LaunchingLeader.Variable] = LaunchingLeader.DescribeThisProcess();
        (await TestHostProcess.RunAsync(psi, Bound)).ExitCode.Should().Be(0);
        File.Exists(marker).Should().BeTrue();
    }

    [Test]
    public void LaunchingLeader_Descriptions_OnlyAGoneProcessOfThisNamespaceIsGone()
    {
        string self = LaunchingLeader.DescribeThisProcess()!;
        self.Should().NotBeNull("this runs on Linux with /proc");
        string[] parts = self.Split(':');

        LaunchingLeader.IsGone(self).Should().BeFalse();
        LaunchingLeader.IsGone($"{parts[0]}:{long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) + 1}:{parts[2]}").Should().BeTrue("another start time is another process with the same ID");
        LaunchingLeader.IsGone($"{parts[0]}:{parts[1]}:pid[1]").Should().BeFalse("a leader in another PID namespace cannot be seen, so it is not known to be gone");
        LaunchingLeader.IsGone(null).Should().BeFalse();
        LaunchingLeader.IsGone("garbage").Should().BeFalse("a value that cannot be read does not stop a worker");
        LaunchingLeader.IsGone("12:x:pid[1]").Should().BeFalse();
    }

    [Test]
    public async Task WorkerProcess_FailingJob_Exits1AndLeavesItsLogInTheJobRecord()
    {
        string id = await CreateJobAsync<WorkerTestJobs.FailJob, WorkerTestJobs.MarkerInput>(new(Path.Combine(_root, "unused")));

        var (code, stdout, stderr) = await RunWorkerAsync(WorkerTestJobs.Fail, id);

        code.Should().Be(1, $"stdout: {stdout} stderr: {stderr}");
        await using var store = await FileJobStore.OpenAsync(_storeDir);
        var job = await store.LoadJobAsync(id);
        job.LogJobStoreFileId.Should().NotBeNull("the leader shows a failed job's log from its record");
        string log = await ReadFileAsync(store, job.LogJobStoreFileId!);
        log.Should().Contain(WorkerTestJobs.FailureMessage, "descriptors 1 and 2 and the worker's logging go to the worker log");
        log.Should().Contain(WorkerTestJobs.FailureStdout, "what the job wrote to standard output is captured in process mode");
        job.HasBody.Should().BeTrue("a failed attempt keeps the body for the retry");
    }

    [Test]
    public async Task WorkerProcess_JobAsksForExitCode7_Exits7()
    {
        string id = await CreateJobAsync<WorkerTestJobs.ExitJob, WorkerTestJobs.ExitInput>(new(7));

        var (code, stdout, stderr) = await RunWorkerAsync(WorkerTestJobs.Exit, id);

        code.Should().Be(7, $"stdout: {stdout} stderr: {stderr}");
    }

    [Test]
    public async Task WorkerProcess_KilledWithSigkill_NextWorkerRunsItsDeferredFunctions()
    {
        string marker = Path.Combine(_root, "deferred-ran");
        string ready = Path.Combine(_root, "ready");
        string hangId = await CreateJobAsync<WorkerTestJobs.DeferAndHangJob, WorkerTestJobs.DeferInput>(new(marker, ready));
        string nextId = await CreateJobAsync<WorkerTestJobs.TouchJob, WorkerTestJobs.MarkerInput>(new(Path.Combine(_root, "touched")));

        using (var worker = Process.Start(TestHostProcess.StartInfo(WorkerEntryScenario.ScenarioName, _workDir, WorkerTestJobs.DeferAndHang, Locator, hangId))!)
        {
            var stdout = worker.StandardOutput.ReadToEndAsync();
            var stderr = worker.StandardError.ReadToEndAsync();
            await WaitForFileAsync(ready, worker);
            worker.Kill();   // SIGKILL on Unix: no finally block, no deferred function runs in this process
            await worker.WaitForExitAsync().WaitAsync(Bound);
            await Task.WhenAll(stdout, stderr);
        }

        File.Exists(marker).Should().BeFalse("the killed worker never reached the end of its job");

        var (code, nextOut, nextErr) = await RunWorkerAsync(WorkerTestJobs.Touch, nextId);

        code.Should().Be(0, $"stdout: {nextOut} stderr: {nextErr}");
        (await File.ReadAllTextAsync(marker)).Should().Be("deferred", "the next worker on the node runs the dead worker's deferred functions");
    }

    [Test]
    public async Task ToilWorkerCommand_JobAssemblyInWorkflowConfig_RunsItsJob()
    {
        string marker = Path.Combine(_root, "touched-by-tool");
        string id = await CreateJobAsync<WorkerTestJobs.TouchJob, WorkerTestJobs.MarkerInput>(new(marker), [TestHostProcess.HostPath]);

        var (code, stdout, stderr) = await RunToolAsync("worker", WorkerTestJobs.Touch, Locator, id);

        code.Should().Be(0, $"stdout: {stdout} stderr: {stderr}");
        (await File.ReadAllTextAsync(marker)).Should().Be("ran");
    }

    [Test]
    public async Task ToilWorkerCommand_MissingJobAssembly_Exits1NamingIt()
    {
        string missing = Path.Combine(_root, "NoSuchJobs.dll");
        string id = await CreateJobAsync<WorkerTestJobs.TouchJob, WorkerTestJobs.MarkerInput>(new(Path.Combine(_root, "x")), [missing]);

        var (code, _, stderr) = await RunToolAsync("worker", WorkerTestJobs.Touch, Locator, id);

        code.Should().Be(1);
        stderr.Should().Contain($"The job assembly '{missing}' cannot be used: the file does not exist");
    }

    [Test]
    public async Task ToilWorkerCommand_AssemblyWithoutModuleAttribute_Exits1NamingTheConvention()
    {
        string plain = Path.Combine(AppContext.BaseDirectory, "Toil.Runtime.Testing.dll");
        string id = await CreateJobAsync<WorkerTestJobs.TouchJob, WorkerTestJobs.MarkerInput>(new(Path.Combine(_root, "x")), [plain]);

        var (code, _, stderr) = await RunToolAsync("worker", WorkerTestJobs.Touch, Locator, id);

        code.Should().Be(1);
        stderr.Should().Contain($"The job assembly '{plain}' cannot be used: it has no [assembly: ToilJobModuleAttribute(typeof(...))]");
    }

    [Test]
    public async Task ToilWorkerCommand_MissingJobStore_Exits76()
    {
        var (code, _, stderr) = await RunToolAsync("worker", "test_job", "file:/nonexistent/path/jobstore", "some_job_id");

        code.Should().Be(76);
        stderr.Should().Contain("shared filesystem");
    }

    [Test]
    public async Task ToilWorkerCommand_TooManyArguments_ExitsWithUsageError()
    {
        var (code, _, stderr) = await RunToolAsync("worker", "a", "file:/x", "id", "extra");

        code.Should().Be(2);
        stderr.Should().Contain("usage: toil worker JOBNAME JOBSTORELOCATOR JOBSTOREID").And.Contain("'extra'");
    }

    private async Task<string> CreateJobAsync<TJob, TInput>(TInput input, IReadOnlyList<string>? jobAssemblies = null)
        where TJob : class, IJob<TInput>
    {
        await using var store = Directory.Exists(_storeDir)
            ? await FileJobStore.OpenAsync(_storeDir)
            : await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = Locator }, new WorkflowConfig { JobAssemblies = jobAssemblies ?? [] });
        return await store.CreateRootJobAsync<TJob, TInput>(Registry, input);
    }

    private Task<(int ExitCode, string StdOut, string StdErr)> RunWorkerAsync(string jobName, string id) =>
        TestHostProcess.RunAsync(Bound, WorkerEntryScenario.ScenarioName, _workDir, jobName, Locator, id);

    private async Task<(int ExitCode, string StdOut, string StdErr)> RunToolAsync(params string[] args)
    {
        var psi = TestHostProcess.StartInfo("unused");
        psi.ArgumentList.Clear();
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "toil.dll"));
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["TOIL_WORKDIR"] = _workDir;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(Bound);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    private static async Task<string> ReadFileAsync(IJobStore store, string fileId)
    {
        await using var stream = await store.OpenReadFileAsync(fileId);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    private static async Task WaitForFileAsync(string path, Process process)
    {
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(path))
        {
            if (process.HasExited)
            {
                throw new AssertionException($"the worker exited with {process.ExitCode} before its job got ready");
            }

            if (deadline.Elapsed > Bound)
            {
                throw new TimeoutException($"the worker's job did not write {path} within {Bound}");
            }

            await Task.Delay(50);
        }
    }
}
