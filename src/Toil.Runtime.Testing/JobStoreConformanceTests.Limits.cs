using FluentAssertions;
using NUnit.Framework;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Testing;

/// <content>
/// The length limits of <see cref="JobStoreLimits"/>: what is within them works, what is beyond them is a typed error,
/// the same in every store (so an in-memory test accepts exactly what a file store can write).
/// </content>
public abstract partial class JobStoreConformanceTests
{
    /// <summary>
    /// A shared-file name of exactly <see cref="JobStoreLimits.MaxSharedFileNameLength"/> characters is written, read
    /// and found (a file store's temporary name for it still fits a file name).
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task WriteSharedFileAsync_NameAtTheLengthLimit_RoundTrips()
    {
        string name = new('n', JobStoreLimits.MaxSharedFileNameLength);

        await Store.WriteSharedFileAsync(name, "at the limit"u8.ToArray(), Cancellation).ConfigureAwait(false);
        await Store.WriteSharedFileAsync(name, "replaced"u8.ToArray(), Cancellation).ConfigureAwait(false);

        (await ReadSharedTextAsync(Store, name).ConfigureAwait(false)).Should().Be("replaced");
        (await Store.SharedFileExistsAsync(name, Cancellation).ConfigureAwait(false)).Should().BeTrue();
    }

    /// <summary>
    /// A shared-file name longer than <see cref="JobStoreLimits.MaxSharedFileNameLength"/> (230 characters is within a
    /// file name's 255 bytes, but not with a temporary suffix) is refused with <see cref="InvalidJobStoreIdException"/>
    /// by every shared-file operation, and nothing is written.
    /// </summary>
    /// <param name="length">The name's length.</param>
    /// <returns>A task.</returns>
    [TestCase(JobStoreLimits.MaxSharedFileNameLength + 1)]
    [TestCase(230)]
    [TestCase(255)]
    [TestCase(256)]
    [TestCase(5000)]
    public async Task SharedFileOperations_NameOverTheLengthLimit_ThrowInvalidJobStoreId(int length)
    {
        string name = new('n', length);
        var write = async () => await Store.WriteSharedFileAsync(name, "x"u8.ToArray(), Cancellation).ConfigureAwait(false);
        var read = async () => await Store.OpenReadSharedFileAsync(name, Cancellation).ConfigureAwait(false);
        var exists = async () => await Store.SharedFileExistsAsync(name, Cancellation).ConfigureAwait(false);

        await write.Should().ThrowAsync<InvalidJobStoreIdException>().ConfigureAwait(false);
        await read.Should().ThrowAsync<InvalidJobStoreIdException>().ConfigureAwait(false);
        await exists.Should().ThrowAsync<InvalidJobStoreIdException>().ConfigureAwait(false);
    }

    /// <summary>
    /// A never-issued file ID beyond the limits (longer than <see cref="JobStoreLimits.MaxFileIdLength"/>, or with a
    /// segment over <see cref="JobStoreLimits.MaxFileIdSegmentBytes"/> UTF-8 bytes) is refused with
    /// <see cref="InvalidJobStoreIdException"/> by every file operation: never a path-length error.
    /// </summary>
    /// <param name="shape">Which limit the ID breaks.</param>
    /// <returns>A task.</returns>
    [TestCase("segment-256-ascii")]
    [TestCase("segment-256-utf8")]
    [TestCase("total-1025")]
    [TestCase("total-5000")]
    [TestCase("over-path-max")]
    public async Task FileOperations_NeverIssuedIdOverTheLimits_ThrowInvalidJobStoreId(string shape)
    {
        string id = shape switch
        {
            "segment-256-ascii" => "files-flat/file-00000000000000000000000000000000/" + new string('a', 256),
            "segment-256-utf8" => "files-flat/file-00000000000000000000000000000000/" + string.Concat(Enumerable.Repeat("é", 128)),
            "total-1025" => "files-flat/" + string.Concat(Enumerable.Repeat("abcdefgh/", 111)) + new string('z', 15),
            "total-5000" => "files-flat/" + string.Concat(Enumerable.Repeat("a/", 2500)) + "z",
            _ => "job-files/" + string.Concat(Enumerable.Repeat(new string('p', 250) + "/", 20)) + "stream",
        };

        var read = async () => await Store.OpenReadFileAsync(id, Cancellation).ConfigureAwait(false);
        var update = async () => await Store.UpdateFileAsync(id, new MemoryStream("x"u8.ToArray()), Cancellation).ConfigureAwait(false);
        var delete = async () => await Store.DeleteFileAsync(id, Cancellation).ConfigureAwait(false);
        var exists = async () => await Store.FileExistsAsync(id, Cancellation).ConfigureAwait(false);
        var size = async () => await Store.GetFileSizeAsync(id, Cancellation).ConfigureAwait(false);

        await read.Should().ThrowAsync<InvalidJobStoreIdException>().ConfigureAwait(false);
        await update.Should().ThrowAsync<InvalidJobStoreIdException>().ConfigureAwait(false);
        await delete.Should().ThrowAsync<InvalidJobStoreIdException>().ConfigureAwait(false);
        await exists.Should().ThrowAsync<InvalidJobStoreIdException>().ConfigureAwait(false);
        await size.Should().ThrowAsync<InvalidJobStoreIdException>().ConfigureAwait(false);
    }

    /// <summary>
    /// A never-issued file ID just within the limits (a 255-byte segment, 1024 characters in all) names no file: not
    /// found, <see langword="false"/>, size 0, and a delete that does nothing.
    /// </summary>
    /// <param name="shape">Which limit the ID reaches.</param>
    /// <returns>A task.</returns>
    [TestCase("segment-255")]
    [TestCase("total-1024")]
    public async Task FileOperations_NeverIssuedIdAtTheLimits_AnswerNotFound(string shape)
    {
        string id = shape == "segment-255"
            ? "files-flat/file-00000000000000000000000000000000/" + new string('a', 255)
            : "files-flat/" + string.Concat(Enumerable.Repeat("abcdefgh/", 111)) + new string('z', 14);
        id.Length.Should().Be(shape == "segment-255" ? 304 : JobStoreLimits.MaxFileIdLength);

        var read = async () => await Store.OpenReadFileAsync(id, Cancellation).ConfigureAwait(false);
        var update = async () => await Store.UpdateFileAsync(id, new MemoryStream("x"u8.ToArray()), Cancellation).ConfigureAwait(false);

        await read.Should().ThrowAsync<NoSuchFileException>().ConfigureAwait(false);
        await update.Should().ThrowAsync<NoSuchFileException>().ConfigureAwait(false);
        (await Store.FileExistsAsync(id, Cancellation).ConfigureAwait(false)).Should().BeFalse();
        (await Store.GetFileSizeAsync(id, Cancellation).ConfigureAwait(false)).Should().Be(0);
        await Store.DeleteFileAsync(id, Cancellation).ConfigureAwait(false);
    }

    /// <summary>
    /// A job with a very long name gets an ID of at most <see cref="JobStoreLimits.MaxJobIdLength"/> characters that
    /// works everywhere: created, loaded, owning a cleanup file with a very long base name (whose ID stays within
    /// <see cref="JobStoreLimits.MaxFileIdLength"/>), and deleted with it.
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task AssignJobIdAsync_VeryLongJobName_IdWithinTheLimitsAndUsable()
    {
        var job = NewJob(new string('j', 1000));
        string jobId = await CreateAsync(job).ConfigureAwait(false);
        jobId.Length.Should().BeLessThanOrEqualTo(JobStoreLimits.MaxJobIdLength);

        string fileId = await Store.WriteFileAsync("owned"u8.ToArray(), jobId, cleanup: true, baseName: new string('b', 1000), Cancellation).ConfigureAwait(false);
        fileId.Length.Should().BeLessThanOrEqualTo(JobStoreLimits.MaxFileIdLength);
        (await ReadTextAsync(Store, fileId).ConfigureAwait(false)).Should().Be("owned");
        (await Store.LoadJobAsync(jobId, Cancellation).ConfigureAwait(false)).JobName.Should().Be(job.JobName);

        await Store.DeleteJobAsync(jobId, Cancellation).ConfigureAwait(false);
        (await Store.FileExistsAsync(fileId, Cancellation).ConfigureAwait(false)).Should().BeFalse();
        (await Store.JobExistsAsync(jobId, Cancellation).ConfigureAwait(false)).Should().BeFalse();
    }

    /// <summary>
    /// A job ID longer than any store issues (<see cref="JobStoreLimits.MaxJobIdLength"/>) names no job: loading and
    /// updating it throw <see cref="NoSuchJobException"/>, it does not exist, deleting it does nothing, a file cannot be
    /// owned by it, and creating it throws <see cref="InvalidJobStoreIdException"/>.
    /// </summary>
    /// <param name="length">The length of the ID's slug.</param>
    /// <returns>A task.</returns>
    [TestCase(241)]
    [TestCase(300)]
    [TestCase(5000)]
    public async Task JobOperations_IdOverTheLengthLimit_AnsweredAsUnknown(int length)
    {
        string id = "kind-" + new string('k', length) + "/instance-" + new string('0', 32);
        id.Length.Should().BeGreaterThan(JobStoreLimits.MaxJobIdLength);
        var job = NewJob("too-long");
        job.JobStoreId = id;

        var load = async () => await Store.LoadJobAsync(id, Cancellation).ConfigureAwait(false);
        var update = async () => await Store.UpdateJobAsync(job, Cancellation).ConfigureAwait(false);
        var owned = async () => await Store.WriteFileAsync("x"u8.ToArray(), id, cleanup: false, null, Cancellation).ConfigureAwait(false);
        var create = async () => await Store.CreateJobsAsync([job], Cancellation).ConfigureAwait(false);

        await load.Should().ThrowAsync<NoSuchJobException>().ConfigureAwait(false);
        await update.Should().ThrowAsync<NoSuchJobException>().ConfigureAwait(false);
        await owned.Should().ThrowAsync<NoSuchJobException>().ConfigureAwait(false);
        await create.Should().ThrowAsync<InvalidJobStoreIdException>().ConfigureAwait(false);
        (await Store.JobExistsAsync(id, Cancellation).ConfigureAwait(false)).Should().BeFalse();
        await Store.DeleteJobAsync(id, Cancellation).ConfigureAwait(false);
        (await ListAsync(Store).ConfigureAwait(false)).Should().BeEmpty();
    }
}
