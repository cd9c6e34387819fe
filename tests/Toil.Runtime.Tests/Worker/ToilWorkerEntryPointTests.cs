using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Worker;

public sealed class ToilWorkerEntryPointTests
{
    private static Task<int> RunAsync(StringWriter error, params string[] args) =>
        ToilWorkerEntryPoint.RunCoreAsync(
            args,
            _ => throw new AssertionException("services must not be built when the worker cannot start"),
            ownsProvider: true,
            error,
            CancellationToken.None);

    [Test]
    public async Task RunAsync_MissingArguments_ReturnsUsageErrorWithUsage()
    {
        using var error = new StringWriter();

        int code = await RunAsync(error, "job-only");

        code.Should().Be(ToilWorkerEntryPoint.UsageErrorExitCode).And.Be(2);
        error.ToString().Should().Contain("usage: worker JOBNAME JOBSTORELOCATOR JOBSTOREID").And.Contain("missing argument");
    }

    [Test]
    public async Task RunAsync_UnsupportedLocator_ReturnsUsageError()
    {
        using var error = new StringWriter();

        int code = await RunAsync(error, "job", "aws:us-west-2:store", "id");

        code.Should().Be(2);
        error.ToString().Should().Contain("unsupported job store locator 'aws:us-west-2:store'");
    }

    [Test]
    public async Task RunAsync_MissingJobStore_Returns76WithSharedFilesystemHint()
    {
        string missing = Path.Combine(Path.GetTempPath(), "toil-missing-" + Guid.NewGuid().ToString("N"), "store");
        using var error = new StringWriter();

        int code = await RunAsync(error, "test_job", "file:" + missing, "some_job_id");

        code.Should().Be(WorkerExitCodes.NoJobStore).And.Be(76);
        error.ToString().Should().Contain($"Could not access the job store at 'file:{missing}'").And.Contain("shared filesystem");
        Directory.Exists(missing).Should().BeFalse("a worker must never create a job store");
    }
}
