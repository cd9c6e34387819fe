using Toil.Runtime.Authoring;
using Toil.Runtime.Leader.TestHost;

namespace Toil.Runtime.Slurm.Tests;

/// <summary>Appends "start" to the file named by its input, then holds about 140 MB resident for 3 s (jobacct samples every second).</summary>
public sealed class MemoryHogJob : IJob<string>, IToilJobType
{
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<MemoryHogJob, string>(TestJson.Default.String, "memory-hog");

    public async ValueTask RunAsync(string input, JobContext context, CancellationToken cancellationToken)
    {
        await File.AppendAllTextAsync(input, "start\n", cancellationToken);
        byte[] hog = new byte[140 * 1024 * 1024];
        for (int i = 0; i < hog.Length; i += 4096)
        {
            hog[i] = 1;
        }

        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        GC.KeepAlive(hog);
    }
}
