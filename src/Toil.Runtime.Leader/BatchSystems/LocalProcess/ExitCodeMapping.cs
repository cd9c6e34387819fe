using Toil.Runtime.Jobs;

namespace Toil.Runtime.Leader.BatchSystems.LocalProcess;

/// <summary>
/// Maps a worker process's exit code to the reason the leader gets. .NET reports a process ended by signal N as
/// 128 + N (as the shell does), so a code of 129..192 is read as a signal. See <c>docs/batch-systems.md</c>.
/// </summary>
internal static class ExitCodeMapping
{
    private const int SignalBase = 128;
    private const int LastSignal = 64;

    /// <summary>Gets the signal that ended a process from its exit code, or <see langword="null"/> for a normal exit.</summary>
    public static int? Signal(int exitCode) => exitCode is > SignalBase and <= SignalBase + LastSignal ? exitCode - SignalBase : null;

    /// <summary>Gets the reason for an attempt the batch system did not kill (killed ones are not reported).</summary>
    public static BatchJobExitReason Reason(int exitCode) => exitCode switch
    {
        0 => BatchJobExitReason.Finished,
        _ => Signal(exitCode) switch
        {
            // Ended from outside: an operator, the OOM killer, a session that ended.
            1 or 2 or 3 or 9 or 15 => BatchJobExitReason.Killed,

            // A crash (SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL, ...) or an exit code chosen by a job: the attempt failed.
            _ => BatchJobExitReason.Failed,
        },
    };

    /// <summary>Describes the exit for <see cref="BatchJobUpdate.Detail"/>.</summary>
    public static string Describe(int exitCode) => Signal(exitCode) is { } signal
        ? $"the worker process was ended by signal {signal} (exit code {exitCode})"
        : $"the worker process exited with code {exitCode}";
}
