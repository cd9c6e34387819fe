using System.Text;
using FluentAssertions;
using NUnit.Framework;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Testing;

/// <content>
/// IDs that did not come from the store. A store must answer them with a typed error and must never read, write or
/// delete anything outside itself. The escaping IDs aim at a real "victim" file in the temporary directory, so a store
/// that joins IDs to a root path without validation is caught reading, overwriting or deleting it.
/// </content>
public abstract partial class JobStoreConformanceTests
{
    private const string VictimContent = "victim: must never be read, changed or deleted through a job store";

    /// <summary>
    /// A file ID that climbs out of the store (<c>../</c>) or is an absolute path is refused with
    /// <see cref="InvalidJobStoreIdException"/> by every file operation, and the file it points at is untouched.
    /// </summary>
    /// <param name="absolute">Whether the hostile ID is absolute (else relative with <c>../</c> segments).</param>
    /// <returns>A task.</returns>
    [TestCase(false)]
    [TestCase(true)]
    public async Task FileOperations_IdEscapingTheStore_ThrowInvalidJobStoreIdAndTouchNothing(bool absolute)
    {
        using var victim = new Victim();
        string hostile = absolute ? victim.FilePath : victim.RelativeFromAnywhere(victim.FilePath);

        var read = async () => await Store.OpenReadFileAsync(hostile, Cancellation).ConfigureAwait(false);
        var update = async () => await Store.UpdateFileAsync(hostile, new MemoryStream("overwritten"u8.ToArray()), Cancellation).ConfigureAwait(false);
        var delete = async () => await Store.DeleteFileAsync(hostile, Cancellation).ConfigureAwait(false);
        var exists = async () => await Store.FileExistsAsync(hostile, Cancellation).ConfigureAwait(false);
        var size = async () => await Store.GetFileSizeAsync(hostile, Cancellation).ConfigureAwait(false);

        await read.Should().ThrowAsync<InvalidJobStoreIdException>().ConfigureAwait(false);
        await update.Should().ThrowAsync<InvalidJobStoreIdException>().ConfigureAwait(false);
        await delete.Should().ThrowAsync<InvalidJobStoreIdException>().ConfigureAwait(false);
        await exists.Should().ThrowAsync<InvalidJobStoreIdException>().ConfigureAwait(false);
        await size.Should().ThrowAsync<InvalidJobStoreIdException>().ConfigureAwait(false);
        victim.AssertUntouched();
    }

    /// <summary>
    /// Malformed file IDs (empty, <c>..</c> in the middle, backslashes, control characters) are refused with
    /// <see cref="InvalidJobStoreIdException"/>.
    /// </summary>
    /// <param name="hostile">The malformed ID.</param>
    /// <returns>A task.</returns>
    [TestCase("")]
    [TestCase("files-flat/../../x")]
    [TestCase("files-flat/./x")]
    [TestCase("..")]
    [TestCase("files-flat\\..\\..\\x")]
    [TestCase("files-flat/x\0y")]
    public async Task OpenReadFileAsync_MalformedId_ThrowsInvalidJobStoreId(string hostile)
    {
        var read = async () => await Store.OpenReadFileAsync(hostile, Cancellation).ConfigureAwait(false);
        var exists = async () => await Store.FileExistsAsync(hostile, Cancellation).ConfigureAwait(false);

        await read.Should().ThrowAsync<InvalidJobStoreIdException>().ConfigureAwait(false);
        await exists.Should().ThrowAsync<InvalidJobStoreIdException>().ConfigureAwait(false);
    }

    /// <summary>
    /// Well-formed IDs the store never issued — a made-up file ID, a job's ID, an issued ID with a suffix, the directory
    /// part of an issued ID — do not exist: reads and updates throw <see cref="NoSuchFileException"/>, exists is false,
    /// size is 0, delete does nothing, and the real file next to them is unharmed.
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task FileOperations_WellFormedIdNeverIssued_BehaveAsMissingFile()
    {
        string jobId = await CreateAsync(NewJob()).ConfigureAwait(false);
        string real = await WriteTextAsync(Store, "real", jobId).ConfigureAwait(false);
        List<string> neverIssued = ["files-flat/file-00000000000000000000000000000000/stream", jobId, real + "x", real + "/stream"];
        int slash = real.LastIndexOf('/');
        if (slash > 0)
        {
            neverIssued.Add(real[..slash]);
        }

        foreach (string id in neverIssued)
        {
            var read = async () => await Store.OpenReadFileAsync(id, Cancellation).ConfigureAwait(false);
            var update = async () => await Store.UpdateFileAsync(id, new MemoryStream("x"u8.ToArray()), Cancellation).ConfigureAwait(false);

            await read.Should().ThrowAsync<NoSuchFileException>($"'{id}' was never issued").ConfigureAwait(false);
            await update.Should().ThrowAsync<NoSuchFileException>($"'{id}' was never issued").ConfigureAwait(false);
            (await Store.FileExistsAsync(id, Cancellation).ConfigureAwait(false)).Should().BeFalse($"'{id}' was never issued");
            (await Store.GetFileSizeAsync(id, Cancellation).ConfigureAwait(false)).Should().Be(0);
            await Store.DeleteFileAsync(id, Cancellation).ConfigureAwait(false);
        }

        (await ReadTextAsync(Store, real).ConfigureAwait(false)).Should().Be("real");
        (await Store.JobExistsAsync(jobId, Cancellation).ConfigureAwait(false)).Should().BeTrue("reading a job's ID as a file ID never touches the job");
        (await Store.LoadJobAsync(jobId, Cancellation).ConfigureAwait(false)).JobStoreId.Should().Be(jobId);
    }

    /// <summary>
    /// A base name that tries to climb out (<c>../../...</c>) is sanitized: the file is written inside the store, readable
    /// through its ID, and nothing appears at the path the name pointed to.
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task WriteFileAsync_HostileBaseName_StaysInsideTheStore()
    {
        using var victim = new Victim();
        string target = Path.Combine(victim.Directory, "planted");
        string hostileName = victim.RelativeFromAnywhere(target);

        string id = await Store.WriteFileAsync("inside"u8.ToArray(), baseName: hostileName, cancellationToken: Cancellation).ConfigureAwait(false);
        string absoluteNamed = await Store.WriteFileAsync("inside"u8.ToArray(), baseName: target, cancellationToken: Cancellation).ConfigureAwait(false);

        File.Exists(target).Should().BeFalse("a base name is one sanitized path component");
        (await ReadTextAsync(Store, id).ConfigureAwait(false)).Should().Be("inside");
        (await ReadTextAsync(Store, absoluteNamed).ConfigureAwait(false)).Should().Be("inside");
        victim.AssertUntouched();
    }

    /// <summary>
    /// Job operations on an ID that climbs out of the store toward a directory shaped like a job (it holds a file named
    /// <c>job</c>) either refuse it with a typed <see cref="JobStoreException"/> or treat it as missing, and never
    /// read, change or delete the directory.
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task JobOperations_IdEscapingTheStore_NeverTouchWhatItPointsAt()
    {
        using var victim = new Victim();
        string hostile = victim.RelativeFromAnywhere(victim.Directory);
        var job = NewJob();
        job.JobStoreId = hostile;

        var load = async () => await Store.LoadJobAsync(hostile, Cancellation).ConfigureAwait(false);
        var update = async () => await Store.UpdateJobAsync(job, Cancellation).ConfigureAwait(false);
        var create = async () => await Store.CreateJobsAsync([job], Cancellation).ConfigureAwait(false);
        var writeFile = async () => await WriteTextAsync(Store, "planted", hostile, cleanup: true).ConfigureAwait(false);

        (await load.Should().ThrowAsync<JobStoreException>().ConfigureAwait(false)).Which.Should().Match(e => e is NoSuchJobException || e is InvalidJobStoreIdException);
        (await update.Should().ThrowAsync<JobStoreException>().ConfigureAwait(false)).Which.Should().Match(e => e is NoSuchJobException || e is InvalidJobStoreIdException);
        await create.Should().ThrowAsync<InvalidJobStoreIdException>().ConfigureAwait(false);
        (await writeFile.Should().ThrowAsync<JobStoreException>().ConfigureAwait(false)).Which.Should().Match(e => e is NoSuchJobException || e is InvalidJobStoreIdException);
        await TypedOrNothingAsync(async () => (await Store.JobExistsAsync(hostile, Cancellation).ConfigureAwait(false)).Should().BeFalse()).ConfigureAwait(false);
        await TypedOrNothingAsync(async () => await Store.DeleteJobAsync(hostile, Cancellation).ConfigureAwait(false)).ConfigureAwait(false);
        await TypedOrNothingAsync(async () => await Store.SetRootJobIdAsync(hostile, Cancellation).ConfigureAwait(false)).ConfigureAwait(false);
        victim.AssertUntouched();
    }

    private static async Task TypedOrNothingAsync(Func<Task> action)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (JobStoreException e) when (e is InvalidJobStoreIdException or NoSuchJobException)
        {
        }
    }

    /// <summary>A directory in the temporary directory, shaped like a job store entry, that no store may touch.</summary>
    private sealed class Victim : IDisposable
    {
        public Victim()
        {
            Directory = Path.Combine(Path.GetTempPath(), "toil-conformance-victim-" + Guid.NewGuid().ToString("N"));
            System.IO.Directory.CreateDirectory(Path.Combine(Directory, "cleanup"));
            FilePath = Path.Combine(Directory, "job");
            File.WriteAllText(FilePath, VictimContent, Encoding.UTF8);
            File.WriteAllText(Path.Combine(Directory, "cleanup", "file"), VictimContent, Encoding.UTF8);
        }

        public string Directory { get; }

        public string FilePath { get; }

        /// <summary>A relative path that reaches <paramref name="absolutePath"/> from any directory up to 40 levels deep.</summary>
        public string RelativeFromAnywhere(string absolutePath) =>
            string.Concat(Enumerable.Repeat("../", 40)) + absolutePath.TrimStart(Path.DirectorySeparatorChar);

        public void AssertUntouched()
        {
            File.ReadAllText(FilePath, Encoding.UTF8).Should().Be(VictimContent);
            File.ReadAllText(Path.Combine(Directory, "cleanup", "file"), Encoding.UTF8).Should().Be(VictimContent);
            System.IO.Directory.GetFileSystemEntries(Directory, "*", SearchOption.AllDirectories)
                .Select(e => Path.GetRelativePath(Directory, e))
                .Should().BeEquivalentTo(["job", "cleanup", Path.Combine("cleanup", "file")], "nothing may be planted in or removed from the victim");
        }

        public void Dispose()
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
