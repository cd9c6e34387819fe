using System.Security.Cryptography;
using System.Text;
using FluentAssertions;
using NUnit.Framework;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Testing;

/// <content>Files: per-job files and cleanup, atomic updates, empty and large files, partial reads.</content>
public abstract partial class JobStoreConformanceTests
{
    /// <summary>
    /// A job's files: an empty cleanup file exists on both instances, an update reads back everywhere, several files
    /// coexist, and a deleted file is gone for exists, size, read and update (testPerJobFiles).
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task WriteFileAsync_PerJobFiles_LifecycleIsVisibleOnBothInstances()
    {
        string jobId = await CreateAsync(NewJob()).ConfigureAwait(false);
        var second = await OpenSecondStoreAsync().ConfigureAwait(false);

        string one = await Store.GetEmptyFileIdAsync(jobId, cleanup: true, cancellationToken: Cancellation).ConfigureAwait(false);
        (await Store.FileExistsAsync(one, Cancellation).ConfigureAwait(false)).Should().BeTrue();
        (await second.FileExistsAsync(one, Cancellation).ConfigureAwait(false)).Should().BeTrue();
        (await second.GetFileSizeAsync(one, Cancellation).ConfigureAwait(false)).Should().Be(0);

        await second.UpdateFileAsync(one, new MemoryStream("one"u8.ToArray()), Cancellation).ConfigureAwait(false);
        (await ReadTextAsync(Store, one).ConfigureAwait(false)).Should().Be("one");
        (await Store.GetFileSizeAsync(one, Cancellation).ConfigureAwait(false)).Should().Be(3);

        string two = await WriteTextAsync(Store, "two", jobId).ConfigureAwait(false);
        string three = await WriteTextAsync(second, "three", jobId, cleanup: true).ConfigureAwait(false);
        new[] { one, two, three }.Should().OnlyHaveUniqueItems();
        (await ReadTextAsync(second, two).ConfigureAwait(false)).Should().Be("two");
        (await ReadTextAsync(Store, three).ConfigureAwait(false)).Should().Be("three");

        string local = Path.Combine(Path.GetTempPath(), "toil-conformance-" + Guid.NewGuid().ToString("N"));
        try
        {
            await second.ReadFileAsync(one, local, Cancellation).ConfigureAwait(false);
            (await File.ReadAllTextAsync(local, Cancellation).ConfigureAwait(false)).Should().Be("one");
        }
        finally
        {
            File.Delete(local);
        }

        await Store.DeleteFileAsync(one, Cancellation).ConfigureAwait(false);
        (await second.FileExistsAsync(one, Cancellation).ConfigureAwait(false)).Should().BeFalse();
        (await second.GetFileSizeAsync(one, Cancellation).ConfigureAwait(false)).Should().Be(0);
        var read = async () => await second.OpenReadFileAsync(one, Cancellation).ConfigureAwait(false);
        (await read.Should().ThrowAsync<NoSuchFileException>().ConfigureAwait(false)).Which.FileId.Should().Be(one);
        var update = async () => await second.UpdateFileAsync(one, new MemoryStream("back"u8.ToArray()), Cancellation).ConfigureAwait(false);
        await update.Should().ThrowAsync<NoSuchFileException>().ConfigureAwait(false);
        (await Store.FileExistsAsync(one, Cancellation).ConfigureAwait(false)).Should().BeFalse("a failed update does not create the file");
        await Store.DeleteFileAsync(one, Cancellation).ConfigureAwait(false);
        (await ReadTextAsync(Store, two).ConfigureAwait(false)).Should().Be("two", "deleting one file leaves the others");
    }

    /// <summary>
    /// <see cref="IJobStore.DeleteJobsAsync"/> deletes every named job with its cleanup files, skips missing and repeated
    /// IDs, keeps every other job and file, and deleting the same batch again does nothing.
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task DeleteJobsAsync_BatchWithMissingAndRepeatedIds_DeletesExactlyTheNamedJobsAndTheirCleanupFiles()
    {
        List<string> doomed = [];
        List<string> doomedFiles = [];
        for (int i = 0; i < 5; i++)
        {
            string id = await CreateAsync(NewJob($"doomed-{i}")).ConfigureAwait(false);
            doomed.Add(id);
            doomedFiles.Add(await WriteTextAsync(Store, $"body {i}", id, cleanup: true).ConfigureAwait(false));
        }

        string survivor = await CreateAsync(NewJob("survivor")).ConfigureAwait(false);
        string survivorFile = await WriteTextAsync(Store, "survivor's", survivor, cleanup: true).ConfigureAwait(false);
        string kept = await WriteTextAsync(Store, "kept", doomed[0], cleanup: false).ConfigureAwait(false);
        List<string> batch = [.. doomed, doomed[1], "never-existed"];

        await Store.DeleteJobsAsync(batch, Cancellation).ConfigureAwait(false);

        var second = await OpenSecondStoreAsync().ConfigureAwait(false);
        foreach (string id in doomed)
        {
            (await second.JobExistsAsync(id, Cancellation).ConfigureAwait(false)).Should().BeFalse();
        }

        foreach (string fileId in doomedFiles)
        {
            (await second.FileExistsAsync(fileId, Cancellation).ConfigureAwait(false)).Should().BeFalse();
        }

        (await ListAsync(second).ConfigureAwait(false)).Select(j => j.JobStoreId).Should().Equal(survivor);
        (await ReadTextAsync(second, survivorFile).ConfigureAwait(false)).Should().Be("survivor's");
        (await ReadTextAsync(second, kept).ConfigureAwait(false)).Should().Be("kept");

        await Store.DeleteJobsAsync(batch, Cancellation).ConfigureAwait(false);
        await Store.DeleteJobsAsync([], Cancellation).ConfigureAwait(false);
        (await ListAsync(Store).ConfigureAwait(false)).Select(j => j.JobStoreId).Should().Equal(survivor);
    }

    /// <summary>
    /// Deleting a job deletes exactly the files written for it with cleanup; its other files and unowned files stay
    /// (testFileDeletion for several counts).
    /// </summary>
    /// <param name="count">How many cleanup files the job has.</param>
    /// <returns>A task.</returns>
    [TestCase(1)]
    [TestCase(9)]
    [TestCase(20)]
    public async Task DeleteJobAsync_JobWithCleanupFiles_DeletesThoseAndKeepsOthers(int count)
    {
        string jobId = await CreateAsync(NewJob()).ConfigureAwait(false);
        string otherJobId = await CreateAsync(NewJob("other")).ConfigureAwait(false);
        List<string> cleanupFiles = [];
        for (int i = 0; i < count; i++)
        {
            cleanupFiles.Add(await Store.GetEmptyFileIdAsync(jobId, cleanup: true, cancellationToken: Cancellation).ConfigureAwait(false));
        }

        string kept = await WriteTextAsync(Store, "kept", jobId, cleanup: false).ConfigureAwait(false);
        string unowned = await WriteTextAsync(Store, "unowned").ConfigureAwait(false);
        string otherJobs = await WriteTextAsync(Store, "other", otherJobId, cleanup: true).ConfigureAwait(false);

        await Store.DeleteJobAsync(jobId, Cancellation).ConfigureAwait(false);

        var second = await OpenSecondStoreAsync().ConfigureAwait(false);
        foreach (string id in cleanupFiles)
        {
            (await second.FileExistsAsync(id, Cancellation).ConfigureAwait(false)).Should().BeFalse();
            var read = async () => await second.OpenReadFileAsync(id, Cancellation).ConfigureAwait(false);
            await read.Should().ThrowAsync<NoSuchFileException>().ConfigureAwait(false);
        }

        (await ReadTextAsync(second, kept).ConfigureAwait(false)).Should().Be("kept");
        (await ReadTextAsync(second, unowned).ConfigureAwait(false)).Should().Be("unowned");
        (await ReadTextAsync(second, otherJobs).ConfigureAwait(false)).Should().Be("other");
    }

    /// <summary>A file for a job ID the store never assigned is refused with <see cref="NoSuchJobException"/>.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task WriteFileAsync_NeverAssignedJobId_ThrowsNoSuchJob()
    {
        var act = async () => await WriteTextAsync(Store, "x", "kind-never/instance-assigned").ConfigureAwait(false);

        await act.Should().ThrowAsync<NoSuchJobException>().ConfigureAwait(false);
    }

    /// <summary>A file may be written for a job whose ID was assigned but which is not created yet (bodies are saved first).</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task WriteFileAsync_AssignedButNotCreatedJob_IsAccepted()
    {
        string jobId = await Store.AssignJobIdAsync(NewJob(), Cancellation).ConfigureAwait(false);

        string fileId = await WriteTextAsync(Store, "body", jobId, cleanup: true).ConfigureAwait(false);

        (await ReadTextAsync(Store, fileId).ConfigureAwait(false)).Should().Be("body");
    }

    /// <summary>The file ID ends with the base name given (or <c>stream</c>), so files stay recognizable (testPreserveFileName).</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task WriteFileAsync_BaseName_IdEndsWithIt()
    {
        string named = await Store.WriteFileAsync("x"u8.ToArray(), baseName: "data.txt", cancellationToken: Cancellation).ConfigureAwait(false);
        string unnamed = await Store.WriteFileAsync("x"u8.ToArray(), cancellationToken: Cancellation).ConfigureAwait(false);

        named.Should().EndWith("data.txt");
        unnamed.Should().EndWith("stream");

        string local = Path.Combine(Path.GetTempPath(), "toil-conformance-" + Guid.NewGuid().ToString("N") + ".csv");
        try
        {
            await File.WriteAllTextAsync(local, "a,b", Cancellation).ConfigureAwait(false);
            string fromPath = await Store.WriteFileAsync(local, cancellationToken: Cancellation).ConfigureAwait(false);
            fromPath.Should().EndWith(Path.GetFileName(local));
            (await ReadTextAsync(Store, fromPath).ConfigureAwait(false)).Should().Be("a,b");
        }
        finally
        {
            File.Delete(local);
        }
    }

    /// <summary>A writer that throws makes the write fail with the writer's own exception, and the store stays usable.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task WriteFileAsync_WriterThrows_PropagatesItsException()
    {
        string jobId = await CreateAsync(NewJob()).ConfigureAwait(false);
        var act = async () => await Store.WriteFileAsync(
            async (s, ct) =>
            {
                await s.WriteAsync("partial"u8.ToArray(), ct).ConfigureAwait(false);
                throw new InvalidDataException("writer failed");
            },
            jobId,
            cleanup: true,
            cancellationToken: Cancellation).ConfigureAwait(false);

        await act.Should().ThrowAsync<InvalidDataException>().WithMessage("writer failed").ConfigureAwait(false);
        string ok = await WriteTextAsync(Store, "after", jobId, cleanup: true).ConfigureAwait(false);
        (await ReadTextAsync(Store, ok).ConfigureAwait(false)).Should().Be("after");
        await Store.DeleteJobAsync(jobId, Cancellation).ConfigureAwait(false);
    }

    /// <summary>
    /// An update whose writer writes new content and then throws leaves the old content, on every instance
    /// (testStreamUpdateAtomic).
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task UpdateFileAsync_WriterThrowsMidway_KeepsOldContent()
    {
        string fileId = await WriteTextAsync(Store, "foo").ConfigureAwait(false);
        var act = async () => await Store.UpdateFileAsync(
            fileId,
            async (s, ct) =>
            {
                await s.WriteAsync("bar-and-more-than-before"u8.ToArray(), ct).ConfigureAwait(false);
                await s.FlushAsync(ct).ConfigureAwait(false);
                throw new InvalidDataException("update failed");
            },
            Cancellation).ConfigureAwait(false);

        await act.Should().ThrowAsync<InvalidDataException>().ConfigureAwait(false);
        var second = await OpenSecondStoreAsync().ConfigureAwait(false);
        (await ReadTextAsync(Store, fileId).ConfigureAwait(false)).Should().Be("foo");
        (await ReadTextAsync(second, fileId).ConfigureAwait(false)).Should().Be("foo");
        (await second.GetFileSizeAsync(fileId, Cancellation).ConfigureAwait(false)).Should().Be(3);

        await Store.UpdateFileAsync(fileId, new MemoryStream("bar"u8.ToArray()), Cancellation).ConfigureAwait(false);
        (await ReadTextAsync(second, fileId).ConfigureAwait(false)).Should().Be("bar", "a successful update replaces the whole content");
    }

    /// <summary>Non-ASCII UTF-8 text round-trips byte for byte through write, update and read on both instances.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task UpdateFileAsync_Utf8Text_RoundTripsOnBothInstances()
    {
        const string First = "naïve café — 日本語 ✓\n";
        const string Second = "Ελληνικά 🚀\r\n";
        string fileId = await WriteTextAsync(Store, First).ConfigureAwait(false);
        var second = await OpenSecondStoreAsync().ConfigureAwait(false);
        (await ReadTextAsync(second, fileId).ConfigureAwait(false)).Should().Be(First);

        await second.UpdateFileAsync(fileId, new MemoryStream(Encoding.UTF8.GetBytes(Second)), Cancellation).ConfigureAwait(false);

        (await ReadTextAsync(Store, fileId).ConfigureAwait(false)).Should().Be(Second);
        (await Store.GetFileSizeAsync(fileId, Cancellation).ConfigureAwait(false)).Should().Be(Encoding.UTF8.GetByteCount(Second));
    }

    /// <summary>Empty files, from an empty stream and from <see cref="JobStoreExtensions.GetEmptyFileIdAsync"/>, exist and read back empty (testZeroLengthFiles).</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task WriteFileAsync_ZeroLength_ExistsAndReadsBackEmpty()
    {
        string fromStream = await Store.WriteFileAsync(Stream.Null, cancellationToken: Cancellation).ConfigureAwait(false);
        string empty = await Store.GetEmptyFileIdAsync(cancellationToken: Cancellation).ConfigureAwait(false);
        var second = await OpenSecondStoreAsync().ConfigureAwait(false);

        foreach (string id in new[] { fromStream, empty })
        {
            (await second.FileExistsAsync(id, Cancellation).ConfigureAwait(false)).Should().BeTrue();
            (await second.GetFileSizeAsync(id, Cancellation).ConfigureAwait(false)).Should().Be(0);
            (await second.ReadAllBytesAsync(id, Cancellation).ConfigureAwait(false)).Should().BeEmpty();
        }

        string local = Path.Combine(Path.GetTempPath(), "toil-conformance-" + Guid.NewGuid().ToString("N"));
        try
        {
            await File.WriteAllTextAsync(local, "existing content is replaced", Cancellation).ConfigureAwait(false);
            await second.ReadFileAsync(empty, local, Cancellation).ConfigureAwait(false);
            new FileInfo(local).Length.Should().Be(0, "reading an empty file onto an existing path gives an empty regular file");
        }
        finally
        {
            File.Delete(local);
        }
    }

    /// <summary>
    /// A large file (<see cref="LargeFileSize"/>, 50 MiB by default) streamed in round-trips with the same length and
    /// SHA-256, through a stream and onto a local path (testLargeFile). The suite never buffers it.
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task WriteFileAsync_LargeFile_RoundTripsByDigest()
    {
        long size = LargeFileSize;
        using var written = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        string fileId = await Store.WriteFileAsync((s, ct) => WritePseudoRandomAsync(s, size, 42, written, ct), cancellationToken: Cancellation).ConfigureAwait(false);
        byte[] expected = written.GetHashAndReset();

        var second = await OpenSecondStoreAsync().ConfigureAwait(false);
        (await second.GetFileSizeAsync(fileId, Cancellation).ConfigureAwait(false)).Should().Be(size);
        var stream = await second.OpenReadFileAsync(fileId, Cancellation).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var (length, digest) = await DigestAsync(stream, Cancellation).ConfigureAwait(false);
            length.Should().Be(size);
            digest.Should().Equal(expected);
        }

        string local = Path.Combine(Path.GetTempPath(), "toil-conformance-" + Guid.NewGuid().ToString("N"));
        try
        {
            await Store.ReadFileAsync(fileId, local, Cancellation).ConfigureAwait(false);
            var file = new FileStream(local, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                (await DigestAsync(file, Cancellation).ConfigureAwait(false)).Digest.Should().Equal(expected);
            }
        }
        finally
        {
            File.Delete(local);
        }

        await Store.DeleteFileAsync(fileId, Cancellation).ConfigureAwait(false);
        (await second.FileExistsAsync(fileId, Cancellation).ConfigureAwait(false)).Should().BeFalse();
    }

    /// <summary>
    /// Reading one byte of a 300,000-byte file and disposing the stream returns promptly, and leaves the file readable,
    /// updatable and deletable (testPartialReadFromStream).
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task OpenReadFileAsync_PartialReadThenDispose_DoesNotDeadlock()
    {
        byte[] content = new byte[300_000];
        new Random(7).NextBytes(content);
        string fileId = await Store.WriteFileAsync(content, cancellationToken: Cancellation).ConfigureAwait(false);

        async Task ReadOneByteAsync()
        {
            var stream = await Store.OpenReadFileAsync(fileId, Cancellation).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                byte[] one = new byte[1];
                (await stream.ReadAsync(one, Cancellation).ConfigureAwait(false)).Should().Be(1);
                one[0].Should().Be(content[0]);
            }
        }

        await ReadOneByteAsync().WaitAsync(TimeSpan.FromSeconds(45), Cancellation).ConfigureAwait(false);

        (await Store.ReadAllBytesAsync(fileId, Cancellation).ConfigureAwait(false)).Should().Equal(content);
        await Store.UpdateFileAsync(fileId, new MemoryStream("small"u8.ToArray()), Cancellation).AsTask().WaitAsync(TimeSpan.FromSeconds(45), Cancellation).ConfigureAwait(false);
        (await ReadTextAsync(Store, fileId).ConfigureAwait(false)).Should().Be("small");
        await Store.DeleteFileAsync(fileId, Cancellation).ConfigureAwait(false);
        (await Store.FileExistsAsync(fileId, Cancellation).ConfigureAwait(false)).Should().BeFalse();
    }

    /// <summary>A stream opened before an update keeps reading a whole version: either all old or all new bytes, never a mix.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task UpdateFileAsync_WhileAReaderIsOpen_ReaderSeesOneWholeVersion()
    {
        byte[] oldContent = Enumerable.Repeat((byte)'o', 200_000).ToArray();
        byte[] newContent = Enumerable.Repeat((byte)'n', 200_000).ToArray();
        string fileId = await Store.WriteFileAsync(oldContent, cancellationToken: Cancellation).ConfigureAwait(false);

        var reader = await Store.OpenReadFileAsync(fileId, Cancellation).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            byte[] head = new byte[10];
            await reader.ReadExactlyAsync(head, Cancellation).ConfigureAwait(false);
            await Store.UpdateFileAsync(fileId, new MemoryStream(newContent), Cancellation).ConfigureAwait(false);
            using var rest = new MemoryStream();
            await reader.CopyToAsync(rest, Cancellation).ConfigureAwait(false);
            byte[] seen = [.. head, .. rest.ToArray()];
            seen.Should().HaveCount(oldContent.Length);
            seen.Distinct().Should().ContainSingle("a reader never sees half of one version and half of another");
        }

        (await Store.ReadAllBytesAsync(fileId, Cancellation).ConfigureAwait(false)).Should().Equal(newContent);
    }

    /// <summary>
    /// Eight tasks on two instances each write, read, update, re-read and delete their own files at the same time;
    /// every one sees exactly its own content.
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task FileOperations_ConcurrentTasksOnBothInstances_EachSeesItsOwnContent()
    {
        string jobId = await CreateAsync(NewJob()).ConfigureAwait(false);
        var second = await OpenSecondStoreAsync().ConfigureAwait(false);

        async Task WorkAsync(int worker)
        {
            var store = worker % 2 == 0 ? Store : second;
            var other = worker % 2 == 0 ? second : Store;
            for (int i = 0; i < 15; i++)
            {
                string content = $"worker {worker} file {i} " + new string('x', 1000 * i);
                string id = await WriteTextAsync(store, content, i % 3 == 0 ? null : jobId, cleanup: i % 2 == 0).ConfigureAwait(false);
                (await ReadTextAsync(other, id).ConfigureAwait(false)).Should().Be(content);
                await other.UpdateFileAsync(id, new MemoryStream(Encoding.UTF8.GetBytes(content + " updated")), Cancellation).ConfigureAwait(false);
                (await ReadTextAsync(store, id).ConfigureAwait(false)).Should().Be(content + " updated");
                await store.DeleteFileAsync(id, Cancellation).ConfigureAwait(false);
                (await other.FileExistsAsync(id, Cancellation).ConfigureAwait(false)).Should().BeFalse();
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(() => WorkAsync(w), Cancellation))).ConfigureAwait(false);
    }
}
