using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Toil.Runtime.Authoring;
using Toil.Runtime.JobStores;
using Toil.Runtime.Logging;
using Toil.Runtime.Tests.Logging;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Worker;

/// <summary>
/// Real-time logging (docs/realtime-logging.md) inside the worker: a job logs through <see cref="JobContext.RealtimeLogger"/>; what passes the
/// leader's level reaches a real <see cref="RealtimeLoggingServer"/> on 127.0.0.1 and the run's <c>worker_log.txt</c>.
/// The request is injected (<c>AddToilRealtimeLogging(request)</c> before <c>AddToilRuntime</c>); the process
/// environment is not touched.
/// </summary>
[CancelAfter(120_000)]
public sealed class WorkerRealtimeLoggingTests
{
    private const string LinePrefix = @"^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}\] \[[^\]]{10,}\] ";

    private string _workDir = null!;

    [SetUp]
    public void SetUp()
    {
        _workDir = Path.Combine(Path.GetTempPath(), "toil-worker-rt-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_workDir);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_workDir, recursive: true);

    [Test]
    public async Task RunAsync_JobLogsInfoAndDebugAtLeaderInfo_ServerGetsInfoOnlyAndWorkerLogHasIt()
    {
        using var leaderLog = new CapturingLoggerProvider();
        await using var leader = Leader(leaderLog, "INFO");
        var server = leader.GetRequiredService<RealtimeLoggingServer>();
        server.Start();
        try
        {
            await using var worker = Worker(RealtimeLoggingRequest.FromVariables(server.EnvironmentVariables), LogLevel.Information);

            var result = await RunJobAsync<RtContextJob>(worker, "hello");

            result.ExitCode.Should().Be(0, result.Error?.ToString());
            SentCount(worker).Should().Be(1, "the debug record is below the leader's level and is not sent");
            await leaderLog.WaitForAsync(r => r.Any(x => x.Category == RealtimeLogger.CategoryName));
            leaderLog.In(RealtimeLogger.CategoryName).Select(r => (r.Level, r.Message)).Should().Equal((LogLevel.Information, "rt info of hello"));
            string log = ReadWorkerLog(result);
            log.Should().MatchRegex("(?m)" + LinePrefix + @"\[I\] \[toil-rt\] rt info of hello$")
                .And.NotContain("rt debug of hello");
        }
        finally
        {
            await server.StopAsync();
        }
    }

    [Test]
    public async Task RunAsync_LeaderAtDebugWorkerAtWarning_RealtimeDebugRecordsAreSentAndLandOnceInWorkerLog()
    {
        // Toil's toil-rt logger propagates to the worker log's handler, which has no level: the worker's own level
        // (here Warning) does not hide real-time records, whether from the context or from DI.
        using var leaderLog = new CapturingLoggerProvider();
        await using var leader = Leader(leaderLog, "DEBUG");
        var server = leader.GetRequiredService<RealtimeLoggingServer>();
        server.Start();
        try
        {
            await using var worker = Worker(RealtimeLoggingRequest.FromVariables(server.EnvironmentVariables), LogLevel.Warning);

            var result = await RunJobAsync<RtBothJob>(worker, "deep");

            result.ExitCode.Should().Be(0, result.Error?.ToString());
            var received = await leaderLog.WaitForAsync(r => r.Count(x => x.Category == RealtimeLogger.CategoryName) >= 2);
            received.Where(r => r.Category == RealtimeLogger.CategoryName).Select(r => (r.Level, r.Message)).Should().BeEquivalentTo(
                [(LogLevel.Debug, "context debug of deep"), (LogLevel.Debug, "injected debug of deep")]);
            string log = ReadWorkerLog(result);
            Lines(log, @"\[D\] \[toil-rt\] context debug of deep$").Should().Be(1);
            Lines(log, @"\[D\] \[toil-rt\] injected debug of deep$").Should().Be(1);
            log.Should().NotContain("ordinary info of deep", "the worker's own level still applies to other categories");
        }
        finally
        {
            await server.StopAsync();
        }
    }

    [Test]
    public async Task RunAsync_NoLeaderLevel_OnlyCriticalRealtimeRecordsOfContextAndInjectedLoggersReachTheWorkerLog()
    {
        Assume.That(Environment.GetEnvironmentVariable(RealtimeLoggingRequest.LevelVariable), Is.Null, "this process must not be a real-time logging worker itself");
        await using var worker = new ServiceCollection()
            .AddLogging()
            .AddToilRuntime(o =>
            {
                o.WorkDir = _workDir;
                o.CleanWorkDir = CleanWorkDirPolicy.Never;
            })
            .AddToilJob<RtCriticalJob, E2EInput>(E2EJson.Default.E2EInput)
            .BuildServiceProvider();

        var result = await RunJobAsync<RtCriticalJob>(worker, "alone");

        result.ExitCode.Should().Be(0, result.Error?.ToString());
        worker.GetServices<ILoggerProvider>().OfType<RealtimeLoggerProvider>().Should().BeEmpty("without the variable AddToilRuntime adds no sender");
        string log = ReadWorkerLog(result);
        Lines(log, @"\[C\] \[toil-rt\] rt critical of alone$").Should().Be(1);
        Lines(log, @"\[C\] \[toil-rt\] injected critical of alone$").Should().Be(1, "a job can inject RealtimeLogger without any leader level");
        log.Should().NotContain("rt info of alone").And.NotContain("injected info of alone");
    }

    [Test]
    public async Task RunAsync_WorkerLog_UsesToilLineFormat()
    {
        await using var worker = Worker(RealtimeLoggingRequest.Disabled, LogLevel.Information);

        var result = await RunJobAsync<RtCriticalJob>(worker, "fmt");

        result.ExitCode.Should().Be(0, result.Error?.ToString());
        ReadWorkerLog(result).Should().MatchRegex("(?m)" + LinePrefix + @"\[I\] \[Toil\.Runtime\.Worker\] ---TOIL WORKER OUTPUT LOG---$");
    }

    private static ServiceProvider Leader(CapturingLoggerProvider log, string level) => new ServiceCollection()
        .AddLogging(b => b.AddProvider(log))
        .AddToilRealtimeLoggingServer(o => o.Level = level)
        .BuildServiceProvider();

    private static long SentCount(IServiceProvider worker) =>
        worker.GetServices<ILoggerProvider>().OfType<RealtimeLoggerProvider>().Single().SentCount;

    private static int Lines(string log, string pattern) =>
        System.Text.RegularExpressions.Regex.Matches(log, "(?m)" + LinePrefix + pattern).Count;

    private static string ReadWorkerLog(WorkerResult result) =>
        File.ReadAllText(Path.Combine(result.RetainedTempDirectory!, "worker_log.txt"));

    private static async Task<WorkerResult> RunJobAsync<TJob>(ServiceProvider worker, string text)
        where TJob : class, IJob<E2EInput>
    {
        var store = new InMemoryJobStore();
        string root = await store.CreateRootJobAsync<TJob, E2EInput>(worker.GetRequiredService<JobTypeRegistry>(), new E2EInput(text));
        return await worker.GetRequiredService<IWorkerRunner>().RunAsync(new WorkerRequest(store, root));
    }

    private ServiceProvider Worker(RealtimeLoggingRequest request, LogLevel workerLevel) => new ServiceCollection()
        .AddLogging(b => b.AddToilRealtimeLogging(request))
        .AddToilRuntime(o =>
        {
            o.WorkDir = _workDir;
            o.CleanWorkDir = CleanWorkDirPolicy.Never;
            o.LogLevel = workerLevel;
        })
        .AddToilJob<RtContextJob, E2EInput>(E2EJson.Default.E2EInput)
        .AddToilJob<RtBothJob, E2EInput>(E2EJson.Default.E2EInput)
        .AddToilJob<RtCriticalJob, E2EInput>(E2EJson.Default.E2EInput)
        .BuildServiceProvider();
}

[ToilJob("rt-context")]
public sealed class RtContextJob : IJob<E2EInput>
{
    public ValueTask RunAsync(E2EInput input, JobContext context, CancellationToken cancellationToken)
    {
        context.RealtimeLogger.LogInformation("rt info of {Text}", input.Text);
        context.RealtimeLogger.LogDebug("rt debug of {Text}", input.Text);
        return ValueTask.CompletedTask;
    }
}

[ToilJob("rt-both")]
public sealed class RtBothJob(RealtimeLogger injected) : IJob<E2EInput>
{
    public async ValueTask RunAsync(E2EInput input, JobContext context, CancellationToken cancellationToken)
    {
        await Task.Yield();
        context.RealtimeLogger.LogDebug("context debug of {Text}", input.Text);
        injected.LogDebug("injected debug of {Text}", input.Text);
        context.Logger.LogInformation("ordinary info of {Text}", input.Text);
    }
}

[ToilJob("rt-critical")]
public sealed class RtCriticalJob(RealtimeLogger injected) : IJob<E2EInput>
{
    public ValueTask RunAsync(E2EInput input, JobContext context, CancellationToken cancellationToken)
    {
        context.RealtimeLogger.LogInformation("rt info of {Text}", input.Text);
        context.RealtimeLogger.LogCritical("rt critical of {Text}", input.Text);
        injected.LogInformation("injected info of {Text}", input.Text);
        injected.LogCritical("injected critical of {Text}", input.Text);
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// Goal of issue 4 across processes: a worker process whose host only calls <c>AddToilRuntime</c> picks up the leader's
/// <c>TOIL_RT_LOGGING_*</c> from its environment; its job's info record reaches the leader (debug does not) and its
/// worker log (process mode) has it.
/// </summary>
[CancelAfter(180_000)]
[NonParallelizable]
[Platform("Linux,MacOsX")]
public sealed class WorkerRealtimeLoggingProcessTests
{
    [Test]
    public async Task AddToilRuntime_WorkerProcessWithLeaderVariables_SendsInfoOnlyAndWritesItToWorkerLog()
    {
        string workDir = Path.Combine(Path.GetTempPath(), "toil-worker-rt-process-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(workDir);
        using var leaderLog = new CapturingLoggerProvider();
        await using var leader = new ServiceCollection()
            .AddLogging(b => b.AddProvider(leaderLog))
            .AddToilRealtimeLoggingServer(o => o.Level = "INFO")
            .BuildServiceProvider();
        var server = leader.GetRequiredService<RealtimeLoggingServer>();
        server.Start();
        try
        {
            var psi = Toil.Runtime.Testing.Processes.TestHostProcess.StartInfo("worker-rt-logging", workDir);
            server.ApplyTo(psi);

            var (exitCode, stdout, stderr) = await Toil.Runtime.Testing.Processes.TestHostProcess.RunAsync(psi, TimeSpan.FromMinutes(2));

            exitCode.Should().Be(0, stdout + stderr);
            await leaderLog.WaitForAsync(r => r.Any(x => x.Message == "rt job done"));
            var received = leaderLog.In(RealtimeLogger.CategoryName);
            received.Select(r => (r.Level, r.Message)).Should().Equal(
                (LogLevel.Information, "rt info from the worker"),
                (LogLevel.Critical, "rt job done"));
            ((RealtimeLogRecord)received[0].State!).ProcessId.Should().NotBe(Environment.ProcessId, "it came from the worker process");
            int begin = stdout.IndexOf("LOG-BEGIN", StringComparison.Ordinal);
            int end = stdout.IndexOf("LOG-END", StringComparison.Ordinal);
            begin.Should().BeGreaterThanOrEqualTo(0, stdout);
            end.Should().BeGreaterThan(begin);
            string log = stdout[begin..end];
            log.Should().MatchRegex(@"(?m)\] \[I\] \[toil-rt\] rt info from the worker$")
                .And.MatchRegex(@"(?m)\] \[C\] \[toil-rt\] rt job done$")
                .And.NotContain("rt debug from the worker");
        }
        finally
        {
            await server.StopAsync();
            Directory.Delete(workDir, recursive: true);
        }
    }
}
