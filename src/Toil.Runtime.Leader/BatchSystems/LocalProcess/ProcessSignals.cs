using Toil.Runtime.IO;

namespace Toil.Runtime.Leader.BatchSystems.LocalProcess;

/// <summary>Sends signals to worker processes (.NET's <c>Process.Kill</c> only sends SIGKILL). Linux and macOS.</summary>
internal static class ProcessSignals
{
    /// <summary>SIGTERM (15 on Linux and macOS).</summary>
    public const int Terminate = 15;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="processId"/>.</summary>
    /// <returns><see langword="false"/> when the process is gone already (ESRCH) or the signal could not be sent.</returns>
    public static bool Send(int processId, int signal) => processId > 0 && Libc.Kill(processId, signal) == 0;
}
