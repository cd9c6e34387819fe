using System.Text;
using Toil.Runtime.JobStores;
using Toil.Runtime.Tests.FileStores;

namespace Toil.Runtime.Tests.JobStores;

/// <summary>The default implementations of <see cref="IJobStore"/>, for stores that do not override them.</summary>
[TestFixture]
public sealed class JobStoreDefaultMethodsTests
{
    [Test]
    public async Task WriteLogsAsync_StreamWriterOnAStoreWithoutOverride_DeliversTheWrittenBytesAsOneMessage()
    {
        IJobStore store = new RecordingJobStore();
        await store.WriteLogsAsync(
            async (s, ct) =>
            {
                await s.WriteAsync("part one, "u8.ToArray(), ct);
                await s.WriteAsync("part two"u8.ToArray(), ct);
            });

        var messages = await ReadAllAsync(store);

        messages.Should().Equal("part one, part two");
    }

    [Test]
    public async Task WriteLogsAsync_StreamWriterThrowsOnAStoreWithoutOverride_NothingDeliveredAndThrows()
    {
        IJobStore store = new RecordingJobStore();

        var act = async () => await store.WriteLogsAsync(
            async (s, ct) =>
            {
                await s.WriteAsync("partial"u8.ToArray(), ct);
                throw new InvalidDataException("writer failed");
            });

        await act.Should().ThrowAsync<InvalidDataException>();
        (await ReadAllAsync(store)).Should().BeEmpty();
    }

    private static async Task<List<string>> ReadAllAsync(IJobStore store)
    {
        var messages = new List<string>();
        await store.ReadLogsAsync(async (s, ct) =>
        {
            using var reader = new StreamReader(s, Encoding.UTF8);
            messages.Add(await reader.ReadToEndAsync(ct));
        });
        return messages;
    }
}
