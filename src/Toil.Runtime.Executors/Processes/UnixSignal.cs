using System.Runtime.InteropServices;

namespace Toil.Runtime.Executors.Processes;

/// <summary>Numbers of the signals the executors send (the same on Linux and macOS).</summary>
public static class UnixSignal
{
    /// <summary>SIGHUP.</summary>
    public const int Hangup = 1;

    /// <summary>SIGINT.</summary>
    public const int Interrupt = 2;

    /// <summary>SIGQUIT.</summary>
    public const int Quit = 3;

    /// <summary>SIGKILL.</summary>
    public const int Kill = 9;

    /// <summary>SIGTERM.</summary>
    public const int Terminate = 15;

    /// <summary>The number of a signal .NET reports as a <see cref="PosixSignal"/>.</summary>
    /// <param name="signal">The signal.</param>
    /// <returns>Its number.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="signal"/> has no portable number here.</exception>
    public static int FromPosixSignal(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGHUP => Hangup,
        PosixSignal.SIGINT => Interrupt,
        PosixSignal.SIGQUIT => Quit,
        PosixSignal.SIGTERM => Terminate,
        _ => throw new ArgumentOutOfRangeException(nameof(signal), signal, "no portable signal number"),
    };
}
