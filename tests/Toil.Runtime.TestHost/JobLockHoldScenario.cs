using Toil.Runtime.IO;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.TestHost;

/// <summary>
/// <c>job-lock-hold ROOT JOB_ID</c>: takes a file job store's lock on one job (format 2: <c>flock</c> on the job's
/// directory), prints <c>HELD</c>, and keeps it until its standard input closes, then prints <c>RELEASED</c>.
/// </summary>
public sealed class JobLockHoldScenario : IHostScenario
{
    /// <inheritdoc />
    public string Name => "job-lock-hold";

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] args)
    {
        var locks = new FileJobStoreLocks(new FileJobStoreLayout(args[0]), TimeProvider.System, TimeSpan.FromSeconds(30), AccessModes.PrivateFile, beforeAttempt: null);
        using (await locks.LockJobAsync(args[1], CancellationToken.None))
        {
            Console.WriteLine("HELD");
            await Console.In.ReadToEndAsync();
        }

        Console.WriteLine("RELEASED");
        return 0;
    }
}
