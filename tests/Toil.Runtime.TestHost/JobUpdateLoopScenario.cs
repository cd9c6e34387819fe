using System.Globalization;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.TestHost;

/// <summary>
/// Updates one job of a file job store in a loop, so a test can kill it with SIGKILL mid-write. Arguments:
/// <c>storePath jobId [count]</c>. Each update writes the content <see cref="Apply"/> defines for the new version
/// (a payload that grows and shrinks) and bumps <see cref="JobDescription.PredecessorNumber"/> as a counter; a stale
/// version is reloaded and retried. Prints <c>OPENED</c> once the store is open and <c>COMMITTED &lt;version&gt;</c>
/// after each durable update. Without <c>count</c> it loops until killed (bounded to two minutes).
/// </summary>
public sealed class JobUpdateLoopScenario : IHostScenario
{
    /// <inheritdoc />
    public string Name => "job-update-loop";

    /// <summary>The payload length written with <paramref name="version"/>: varies between 0 and 40,000 characters.</summary>
    /// <param name="version">The version being written.</param>
    /// <returns>The length.</returns>
    public static int PayloadSize(long version) => (int)((version * 7919) % 40_000);

    /// <summary>Sets the content that identifies the version about to be written (the job's version + 1).</summary>
    /// <param name="job">The loaded job.</param>
    public static void Apply(JobDescription job)
    {
        ArgumentNullException.ThrowIfNull(job);
        long next = job.Version + 1;
        job.UnitName = new string('x', PayloadSize(next));
        job.DisplayName = "v" + next.ToString(CultureInfo.InvariantCulture);
        job.PredecessorNumber++;
    }

    /// <summary>Whether a loaded job holds exactly the content <see cref="Apply"/> wrote for its version.</summary>
    /// <param name="job">The loaded job.</param>
    /// <returns><see langword="true"/> when consistent.</returns>
    public static bool IsConsistent(JobDescription job) =>
        job is not null && job.UnitName.Length == PayloadSize(job.Version) && job.UnitName.All(c => c == 'x')
        && job.DisplayName == "v" + job.Version.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] args)
    {
        string storePath = args[0];
        string jobId = args[1];
        int count = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : int.MaxValue;
        await using var store = await FileJobStore.OpenAsync(new FileJobStoreOptions { Locator = storePath, LockTimeout = TimeSpan.FromSeconds(30) });
        Console.WriteLine("OPENED");
        Console.Out.Flush();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        for (int done = 0; done < count && DateTime.UtcNow < deadline;)
        {
            var job = await store.LoadJobAsync(jobId);
            Apply(job);
            try
            {
                await store.UpdateJobAsync(job);
            }
            catch (ConcurrentJobModificationException)
            {
                continue;
            }

            done++;
            Console.WriteLine("COMMITTED " + job.Version.ToString(CultureInfo.InvariantCulture));
            Console.Out.Flush();
        }

        return count == int.MaxValue ? 3 : 0;
    }
}
