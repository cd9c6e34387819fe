using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Authoring;

namespace Toil.Runtime.Reliability.Host;

/// <summary>
/// The job of the leftover tests (docs/reliability.md, "Found and fixed by the campaign"): it writes a file kept past its
/// job and, in the store it runs on, plants what processes SIGKILLed in the middle of a store operation leave behind.
/// </summary>
public static class LeftoverJobs
{
    /// <summary>Registers the job type.</summary>
    public static IServiceCollection Register(IServiceCollection services) => services.AddToilJob<LeftoverPlantingJob>();

    /// <summary>What <see cref="LeftoverPlantingJob"/> plants under the store's root (relative paths; a trailing <c>/</c> is an empty directory).</summary>
    public static IReadOnlyList<string> Planted { get; } =
    [
        "tmp/trash-0123456789abcdef0123456789abcdef/job", // a process killed while deleting
        "stats/inbox/stats00000000000000010000000100000000000000000000000000000000000000.0123456789abcdef0123456789abcdef.tmp", // a worker killed writing its stats
        "files-flat/file-00000000000000000000000000000001-promise", // a commit killed before creating the promise's consumer (store format 2: no directory per file)
        "files-flat/file-00000000000000000000000000000002.tmp", // ... while writing the promise file (its writer's temp file)
    ];
}

/// <summary>The input: the store's root directory.</summary>
public sealed record LeftoverPlantingInput(string StoreRoot);

/// <summary>
/// Writes a file without cleanup (it must outlive the job), plants <see cref="LeftoverJobs.Planted"/>, writes the path of
/// its worker's directory to <c>worker-directory</c> beside the store, and returns the kept file's ID.
/// </summary>
public sealed class LeftoverPlantingJob : IJob<LeftoverPlantingInput, string>, IToilJobType
{
    /// <inheritdoc />
    public static JobTypeRegistration Registration { get; } =
        JobTypeRegistration.Create<LeftoverPlantingJob, LeftoverPlantingInput, string>(LeftoverJson.Default.LeftoverPlantingInput, LeftoverJson.Default.String, "leftover-planting");

    /// <inheritdoc />
    public async ValueTask<string> RunAsync(LeftoverPlantingInput input, JobContext context, CancellationToken cancellationToken)
    {
        string kept = await context.FileStore.WriteGlobalFileStreamAsync((s, ct) => s.WriteAsync("kept"u8.ToArray(), ct), cleanup: false, baseName: "kept", cancellationToken: cancellationToken);
        foreach (string relative in LeftoverJobs.Planted)
        {
            string path = Path.Combine(input.StoreRoot, relative);
            Directory.CreateDirectory(relative.EndsWith('/') ? path : Path.GetDirectoryName(path)!);
            if (!relative.EndsWith('/'))
            {
                await File.WriteAllTextAsync(path, string.Empty, cancellationToken);
            }
        }

        string workerDirectory = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(context.FileStore.LocalTempDir))!;
        await File.WriteAllTextAsync(Path.Combine(Path.GetDirectoryName(input.StoreRoot)!, "worker-directory"), workerDirectory, cancellationToken);
        return kept;
    }
}

/// <summary>Source-generated JSON of the leftover job.</summary>
[JsonSerializable(typeof(LeftoverPlantingInput))]
[JsonSerializable(typeof(string))]
internal sealed partial class LeftoverJson : JsonSerializerContext
{
}
