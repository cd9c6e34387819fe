using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Tests.JobStores;

/// <summary>
/// Names and IDs that end in a newline (in .NET, a pattern anchored with <c>$</c> also matches before a final <c>\n</c>):
/// both stores refuse them with a typed error and create nothing whose name holds a newline.
/// </summary>
[TestFixture("memory")]
[TestFixture("file")]
public sealed class JobStoreTrailingNewlineTests(string kind)
{
    private FileJobStoreTestDirectory _t = null!;
    private IJobStore _store = null!;

    [SetUp]
    public async Task SetUp()
    {
        _t = new FileJobStoreTestDirectory();
        _store = kind == "file" ? await _t.CreateAsync() : new InMemoryJobStore();
    }

    [TearDown]
    public async Task TearDown()
    {
        await _store.DisposeAsync();
        _t.Dispose();
    }

    [TestCase("config.json\n")]
    [TestCase("environment.json\n")]
    [TestCase("name\n")]
    [TestCase("name\r\n")]
    [TestCase("\nname")]
    public async Task WriteSharedFileAsync_NameWithANewline_ThrowsInvalidIdAndWritesNothing(string name)
    {
        var write = async () => await _store.WriteSharedFileAsync(name, (s, ct) => s.WriteAsync("x"u8.ToArray(), ct));
        var read = async () => await _store.OpenReadSharedFileAsync(name);
        var exists = async () => await _store.SharedFileExistsAsync(name);

        await write.Should().ThrowAsync<InvalidJobStoreIdException>();
        await read.Should().ThrowAsync<InvalidJobStoreIdException>();
        await exists.Should().ThrowAsync<InvalidJobStoreIdException>();
        AssertNoEntryHoldsANewline();
    }

    [Test]
    public async Task OpenReadSharedFileAsync_ConfigNameWithAFinalNewline_DoesNotReadTheConfig()
    {
        var read = async () => await _store.OpenReadSharedFileAsync(SharedFileNames.Config + "\n");

        await read.Should().ThrowAsync<InvalidJobStoreIdException>();
        (await _store.SharedFileExistsAsync(SharedFileNames.Config)).Should().BeTrue("the real name still works");
    }

    [Test]
    public async Task JobMethods_JobIdWithAFinalNewline_DoNotReachTheRealJob()
    {
        string id = await _store.CreateJobAsync(new JobDescription("job", new JobRequirements()));
        string hostile = id + "\n";

        var load = async () => await _store.LoadJobAsync(hostile);
        var update = async () =>
        {
            var job = await _store.LoadJobAsync(id);
            job.JobStoreId = hostile;
            await _store.UpdateJobAsync(job);
        };

        await load.Should().ThrowAsync<JobStoreException>();
        (await _store.JobExistsAsync(hostile)).Should().BeFalse();
        await update.Should().ThrowAsync<JobStoreException>();
        try
        {
            await _store.DeleteJobAsync(hostile);
        }
        catch (JobStoreException)
        {
            // Refusing is as good as doing nothing; deleting the real job is not.
        }

        (await _store.JobExistsAsync(id)).Should().BeTrue("a lookalike ID must not reach the job it resembles");
        (await _store.LoadJobAsync(id)).JobStoreId.Should().Be(id);
        AssertNoEntryHoldsANewline();
    }

    [TestCase("\n")]
    [TestCase("a\n")]
    [TestCase("files-flat/x\n")]
    public async Task FileMethods_FileIdWithANewline_ThrowInvalidId(string fileId)
    {
        var read = async () => await _store.OpenReadFileAsync(fileId);
        var exists = async () => await _store.FileExistsAsync(fileId);
        var update = async () => await _store.UpdateFileAsync(fileId, (s, ct) => s.WriteAsync("x"u8.ToArray(), ct));

        await read.Should().ThrowAsync<InvalidJobStoreIdException>();
        await exists.Should().ThrowAsync<InvalidJobStoreIdException>();
        await update.Should().ThrowAsync<InvalidJobStoreIdException>();
        AssertNoEntryHoldsANewline();
    }

    private void AssertNoEntryHoldsANewline()
    {
        if (kind != "file")
        {
            return;
        }

        _t.RelativeEntries().Should().NotContain(e => e.Contains('\n') || e.Contains('\r'));
        Directory.GetFileSystemEntries(_t.Parent).Should().Equal([_t.StorePath], "nothing is written beside the store");
    }
}
