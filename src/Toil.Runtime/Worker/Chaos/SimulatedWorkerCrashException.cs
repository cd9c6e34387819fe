namespace Toil.Runtime.Worker;

/// <summary>
/// The chaos hook (<see cref="WorkerOptions.BadWorker"/>) killed an in-process run: a write was refused because the
/// simulated worker is already dead. The run reports <see cref="WorkerResult.Crashed"/>.
/// </summary>
internal sealed class SimulatedWorkerCrashException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SimulatedWorkerCrashException()
        : base("The worker was killed by the chaos hook (badWorker); nothing more is written.")
    {
    }
}
