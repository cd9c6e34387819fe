using System.Text;
using Toil.Runtime.JobStores;
using Toil.Runtime.Tests.Authoring;

namespace Toil.Runtime.Tests.FileStores;

public sealed class NonCachingFileStoreChainTests
{
    [Test]
    public async Task FileStore_ChainOfTenJobsReadingDeletingAndWriting_KeepsEveryContentAndDeletesWhatWasDeleted()
    {
        // Toil's jobFileStoreTest.testJobFileStore (strings shortened from 1,000,000 to 100,000 characters).
        const int length = 100_000;
        await using var harness = new AuthoringHarness();
        var inputs = new List<FileRef>();
        for (int seed = 1; seed <= FileChain.FileCount; seed++)
        {
            string id = await harness.Store.WriteFileAsync(Encoding.UTF8.GetBytes(FileChain.Content(seed, length)));
            inputs.Add(new FileRef(id, seed));
        }

        string root = await harness.CreateRootAsync<FileChain, FileChainInput>(new FileChainInput(0, 10, length, inputs));

        await harness.RunSubtreeAsync(root);

        harness.Script.Ran.Where(r => r.StartsWith("step:", StringComparison.Ordinal)).Should().HaveCount(10);
        var deleted = harness.Script.Ran.Where(r => r.StartsWith("deleted:", StringComparison.Ordinal)).Select(r => r["deleted:".Length..]).ToList();
        deleted.Should().NotBeEmpty("the seeded choices delete some files");
        foreach (string fileId in deleted)
        {
            (await harness.Store.FileExistsAsync(fileId)).Should().BeFalse();
        }

        var kept = harness.Script.Ran.Where(r => r.StartsWith("kept:", StringComparison.Ordinal)).ToList();
        kept.Should().HaveCount(FileChain.FileCount);
        foreach (string entry in kept)
        {
            int split = entry.LastIndexOf(':');
            string fileId = entry["kept:".Length..split];
            int seed = int.Parse(entry[(split + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            Encoding.UTF8.GetString(await harness.Store.ReadAllBytesAsync(fileId)).Should().Be(FileChain.Content(seed, length));
        }
    }
}
