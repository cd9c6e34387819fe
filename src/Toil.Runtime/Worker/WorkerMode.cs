namespace Toil.Runtime.Worker;

/// <summary>How the worker captures output and treats the process (docs/decisions.md#log-capture, docs/decisions.md#environment).</summary>
public enum WorkerMode
{
    /// <summary>
    /// Embedded in a host: the run's logging and the output of child processes started through the job context go to
    /// the worker log; the host's console and environment are never touched.
    /// </summary>
    InProcess = 0,

    /// <summary>
    /// The worker owns the process (<c>toil worker</c>): file descriptors 1 and 2 are redirected to the worker log
    /// (and restored after), and the leader's environment is applied to the process.
    /// </summary>
    Process = 1,
}
