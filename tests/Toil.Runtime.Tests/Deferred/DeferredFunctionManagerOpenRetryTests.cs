using Toil.Runtime.Deferred;

namespace Toil.Runtime.Tests.Deferred;

/// <summary>The manager's open retries (a lost race with a cleaner), as a pipeline on its own.</summary>
public sealed class DeferredFunctionManagerOpenRetryTests
{
    [Test]
    public async Task OpenRetry_IOExceptionEveryTime_GivesUpAfterFiveAttempts()
    {
        int attempts = 0;

        var act = async () => await DeferredFunctionManager.OpenRetry.ExecuteAsync<int>(_ => { attempts++; throw new IOException("lost a race"); });

        await act.Should().ThrowAsync<IOException>();
        attempts.Should().Be(DeferredFunctionManager.OpenAttempts).And.Be(5);
    }

    [Test]
    public async Task OpenRetry_IOExceptionTwice_RetriesAtOnceAndReturns()
    {
        int attempts = 0;

        int result = await DeferredFunctionManager.OpenRetry.ExecuteAsync(_ => ++attempts < 3 ? throw new DirectoryNotFoundException("removed by a cleaner") : ValueTask.FromResult(attempts));

        result.Should().Be(3);
    }

    [Test]
    public async Task OpenRetry_OtherException_IsNotRetried()
    {
        int attempts = 0;

        var act = async () => await DeferredFunctionManager.OpenRetry.ExecuteAsync<int>(_ => { attempts++; throw new DeferredFunctionException("locks are not enforced"); });

        await act.Should().ThrowAsync<DeferredFunctionException>();
        attempts.Should().Be(1);
    }
}
