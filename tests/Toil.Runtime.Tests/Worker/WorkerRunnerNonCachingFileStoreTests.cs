using System.Text;
using Toil.Runtime.Authoring;
using Toil.Runtime.FileStores;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Tests.Worker;

/// <summary>The runner with the production <see cref="NonCachingFileStore"/> (its default), not the test store.</summary>
[TestFixture]
public sealed class WorkerRunnerNonCachingFileStoreTests
{
    [Test]
    public async Task RunAsync_ChainWithNonCachingFileStore_RunsCommitsAndDeletesEverything()
    {
        using var t = new WorkerTestContext { UseNonCachingFileStore = true };
        string? written = null;
        t.Invoker.On("A", async inv =>
        {
            inv.FileStore.Should().BeOfType<NonCachingFileStore>();
            written = await inv.FileStore.WriteGlobalFileStreamAsync((s, ct) => s.WriteAsync("data"u8.ToArray(), ct), cleanup: true);
        });
        t.Invoker.On("B", async inv => await inv.FileStore.DeleteGlobalFileAsync(written!));
        t.Invoker.Succeeds("C");
        string a = await t.AddJobAsync("A");
        string b = await t.AddJobAsync("B");
        string c = await t.AddJobAsync("C");
        await t.LinkAsync(a, b);
        await t.LinkAsync(b, c);

        var result = await t.RunAsync(a);

        result.ExitCode.Should().Be(0, result.Error?.ToString());
        t.Invoker.Ran.Should().Equal("A", "B", "C");
        result.SubtreeDeleted.Should().BeTrue();
        (await t.Store.FileExistsAsync(written!)).Should().BeFalse();
        foreach (var id in new[] { a, b, c })
        {
            (await t.Store.JobExistsAsync(id)).Should().BeFalse();
        }
    }

    [Test]
    public async Task RunAsync_ChainedFailureWithNonCachingFileStore_LeavesTheFailedJobUnderTheIssuedIdWithItsLog()
    {
        using var t = new WorkerTestContext { UseNonCachingFileStore = true };
        t.Invoker.Succeeds("A");
        t.Invoker.On("B", _ => throw new JobExitException(5));
        string a = await t.AddJobAsync("A");
        string b = await t.AddJobAsync("B");
        await t.LinkAsync(a, b);

        var result = await t.RunAsync(a);

        result.ExitCode.Should().Be(5);
        var record = await t.Store.LoadJobAsync(a);
        record.JobName.Should().Be("B");
        record.HasBody.Should().BeTrue();
        Encoding.UTF8.GetString(await t.Store.ReadAllBytesAsync(record.LogJobStoreFileId!)).Should().Contain("JobExitException");
    }
}
