using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Worker;

/// <summary>
/// Chaos (Toil's <c>badWorker</c>, <c>docs/worker-algorithm.md</c> §1 step 3): with probability
/// <see cref="WorkerOptions.BadWorker"/> the run dies after a random delay up to <see cref="WorkerOptions.BadWorkerFailInterval"/>.
/// In process mode a <c>/bin/sh</c> child sends the process SIGUSR1 then SIGKILL (Toil forks; .NET cannot); in-process a
/// <see cref="ChaosFence"/> cancels the run's token and refuses every later write through <see cref="Store"/>.
/// </summary>
internal sealed class ChaosKiller : IDisposable
{
    private readonly ChaosFence? _fence;
    private readonly Process? _killer;

    private ChaosKiller(IJobStore store, ChaosFence? fence, Process? killer)
    {
        Store = store;
        _fence = fence;
        _killer = killer;
    }

    /// <summary>The store the run writes through: fenced while an in-process kill is armed.</summary>
    public IJobStore Store { get; }

    /// <summary>Cancelled when the in-process kill strikes; <see cref="CancellationToken.None"/> otherwise.</summary>
    public CancellationToken Token => _fence?.Token ?? CancellationToken.None;

    /// <summary>Whether an in-process kill is armed (the run links its token to <see cref="Token"/>).</summary>
    public bool IsFenced => _fence is not null;

    /// <summary>Whether the in-process kill has struck: nothing more may be committed, logged or deleted.</summary>
    public bool IsCrashed => _fence?.IsTripped == true;

    /// <summary>Whether a process-mode killer was started.</summary>
    public bool HasKillerProcess => _killer is not null;

    /// <summary>Draws whether this run dies and, if so, arms the kill.</summary>
    /// <param name="options">The worker options (<see cref="WorkerOptions.BadWorker"/>, <see cref="WorkerOptions.BadWorkerFailInterval"/>).</param>
    /// <param name="mode">Whether the run owns the process (then the process is killed from outside).</param>
    /// <param name="store">The run's job store.</param>
    /// <param name="time">The clock of the in-process delay.</param>
    /// <param name="log">The run's logger (the armed warning goes into the worker log).</param>
    /// <returns>The armed killer, or a disarmed one that passes <paramref name="store"/> through.</returns>
    public static ChaosKiller Arm(WorkerOptions options, WorkerMode mode, IJobStore store, TimeProvider time, ILogger log)
    {
        if (options.BadWorker <= 0 || Random.Shared.NextDouble() >= options.BadWorker)
        {
            return new ChaosKiller(store, null, null);
        }

        var delay = options.BadWorkerFailInterval * Random.Shared.NextDouble();
        WorkerRunnerLog.ChaosArmed(log, delay);
        if (mode == WorkerMode.Process && UnixFileDescriptors.IsSupported)
        {
            // Killed from outside, like Toil's forked child: SIGUSR1, then SIGKILL.
            var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(string.Create(CultureInfo.InvariantCulture, $"sleep {delay.TotalSeconds:F3}; kill -USR1 {Environment.ProcessId}; kill -KILL {Environment.ProcessId}"));
            return new ChaosKiller(store, null, Process.Start(psi));
        }

        var fence = new ChaosFence();
        var killer = new ChaosKiller(new FencedJobStore(store, fence), fence, null);
        fence.Arm(time, delay);
        return killer;
    }

    /// <summary>Disarms: the fence's timer stops and a killer process still waiting is killed.</summary>
    public void Dispose()
    {
        _fence?.Dispose();
        if (_killer is not null)
        {
            try
            {
                if (!_killer.HasExited)
                {
                    _killer.Kill();
                }
            }
            catch (InvalidOperationException)
            {
            }

            _killer.Dispose();
        }
    }
}
