using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Toil.Runtime.Jobs;
using Toil.Runtime.Tests.Logging;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Worker;

/// <summary>
/// A job's two worker-log lines are written from their parts when the host's logger takes no Debug entry, and through
/// the generated log methods when it does: the worker log's bytes are the same either way.
/// </summary>
[TestFixture]
public sealed class WorkerRunnerLogTests
{
    [Test]
    public void WorkingOnAndCompletedBody_HostTakesNoDebugOrDoes_TheWorkerLogsBytesAreTheSame()
    {
        string dir = Path.Combine(Path.GetTempPath(), "toil-worker-runner-log-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 18, 0, 0, TimeSpan.Zero));
            var job = new JobDescription("work é") { UnitName = "unit", JobStoreId = "kind-work/instance-00000001" };
            using var provider = new CapturingLoggerProvider();
            string quiet = Write(dir, "quiet.txt", NullLogger.Instance, time, job);
            string heard = Write(dir, "heard.txt", provider.CreateLogger("Toil.Runtime.Worker"), time, job);

            File.ReadAllBytes(quiet).Should().Equal(File.ReadAllBytes(heard));
            File.ReadAllText(quiet).Should().Contain("Working on job " + job).And.Contain("Completed body for " + job);
            provider.Records.Select(r => r.Message).Should().Equal("Working on job " + job, "Completed body for " + job);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Write(string dir, string name, ILogger host, TimeProvider time, JobDescription job)
    {
        string path = Path.Combine(dir, name);
        using var file = WorkerLogFile.Open(path);
        var log = new RunTeeLogger(host, file, LogLevel.Information, "Toil.Runtime.Worker", time, WorkerRunnerLog.IsWorkerLogLine, WorkerRunnerLog.IsHeldLine);
        WorkerRunnerLog.WorkingOn(log, job);
        WorkerRunnerLog.CompletedBody(log, job);
        return path;
    }
}
