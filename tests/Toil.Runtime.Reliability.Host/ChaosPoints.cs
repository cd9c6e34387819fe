using System.Globalization;

namespace Toil.Runtime.Reliability.Host;

/// <summary>
/// The kill points of a worker process of the campaign, read from environment variables the leader hands its workers:
/// a random-delay kill armed at start-up, a kill in the middle of a job body, and a kill shortly after a body returned
/// (while the worker commits). Each kill appends one line to <c>kills.log</c> (phase, cause, process, leader
/// generation, job) and then SIGKILLs the process: no <c>finally</c> block, no commit, no deferred function runs.
/// </summary>
public static class ChaosPoints
{
    /// <summary>The campaign's directory of effects (run logs, kill log, worker process IDs).</summary>
    public const string EffectsVariable = "TOIL_CHAOS_EFFECTS";

    /// <summary>The generation (restart number) of the leader that started the worker.</summary>
    public const string GenerationVariable = "TOIL_CHAOS_GENERATION";

    /// <summary>The probability that a worker process arms a kill after a random delay at start-up.</summary>
    public const string StartupKillVariable = "TOIL_CHAOS_KILL_STARTUP";

    /// <summary>The largest start-up delay, in milliseconds.</summary>
    public const string StartupDelayVariable = "TOIL_CHAOS_KILL_STARTUP_MS";

    /// <summary>The probability that a job body kills its process in its middle.</summary>
    public const string BodyKillVariable = "TOIL_CHAOS_KILL_BODY";

    /// <summary>The probability that a process is killed at most <see cref="CommitDelayVariable"/> after a body returned.</summary>
    public const string CommitKillVariable = "TOIL_CHAOS_KILL_COMMIT";

    /// <summary>The largest delay after a body returned, in milliseconds.</summary>
    public const string CommitDelayVariable = "TOIL_CHAOS_KILL_COMMIT_MS";

    /// <summary>The size of the leader's warm worker pool (0 or unset: one worker process per attempt).</summary>
    public const string WarmWorkersVariable = "TOIL_CHAOS_WARM_WORKERS";

    /// <summary>The name of the kill log in the effects directory.</summary>
    public const string KillLog = "kills.log";

    /// <summary>The name of the log of worker process IDs (<c>pid generation</c>, and <c>serve</c> for a serving process).</summary>
    public const string PidLog = "workers.log";

    private static readonly object Gate = new();
    private static string _phase = "start-up";
    private static string _job = "-";
    private static int _killing;

    /// <summary>The effects directory, or <see langword="null"/> outside the campaign.</summary>
    public static string? Effects => Environment.GetEnvironmentVariable(EffectsVariable) is { Length: > 0 } e ? e : null;

    /// <summary>The leader generation that started this process (0 when not set).</summary>
    public static int Generation => int.TryParse(Environment.GetEnvironmentVariable(GenerationVariable), CultureInfo.InvariantCulture, out int g) ? g : 0;

    /// <summary>The third field of a <see cref="PidLog"/> line of a warm pool's serving process.</summary>
    public const string ServingMode = "serve";

    /// <summary>Records this worker process and arms the start-up kill (called first in the worker program).</summary>
    /// <param name="serving">Whether the process is a warm pool's serving process (<c>worker --serve</c>), which runs one attempt after another.</param>
    public static void StartWorker(bool serving = false)
    {
        if (Effects is not { } effects)
        {
            return;
        }

        Append(Path.Combine(effects, PidLog), serving ? $"{Environment.ProcessId} {Generation} {ServingMode}\n" : $"{Environment.ProcessId} {Generation}\n");
        if (Roll(StartupKillVariable))
        {
            var delay = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * Number(StartupDelayVariable, 400));
            _ = Task.Run(async () =>
            {
                await Task.Delay(delay);
                Kill("random-delay");
            });
        }
    }

    /// <summary>Marks the start of a job body (the phase a random-delay kill then records).</summary>
    public static void EnterBody(string job)
    {
        lock (Gate)
        {
            _phase = "body";
            _job = job;
        }
    }

    /// <summary>The body kill point: with the configured probability the process dies here.</summary>
    public static void MaybeKillInBody()
    {
        if (Roll(BodyKillVariable))
        {
            Kill("body-point");
        }
    }

    /// <summary>Marks the end of a job body and, with the configured probability, arms a kill during the commit that follows.</summary>
    public static void LeaveBody()
    {
        lock (Gate)
        {
            _phase = "commit";
        }

        if (Roll(CommitKillVariable))
        {
            var delay = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * Number(CommitDelayVariable, 30));
            var thread = new Thread(() =>
            {
                Thread.Sleep(delay);
                Kill("commit-point");
            }) { IsBackground = true };
            thread.Start();
        }
    }

    /// <summary>
    /// Appends <paramref name="line"/> to <paramref name="path"/> with one write on an <c>O_APPEND</c> descriptor: a SIGKILL
    /// after it returns keeps it, and processes appending at once (a warm pool's processes start together) never write
    /// over each other's lines, as they could through .NET's <see cref="FileMode.Append"/> (a seek to the end, then a write).
    /// </summary>
    public static void Append(string path, string line)
    {
        using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(Toil.Runtime.Worker.UnixFileDescriptors.OpenAppend(path), ownsHandle: true);
        RandomAccess.Write(handle, System.Text.Encoding.UTF8.GetBytes(line), 0);
    }

    private static void Kill(string cause)
    {
        if (Interlocked.Exchange(ref _killing, 1) != 0 || Effects is not { } effects)
        {
            return;
        }

        string phase;
        string job;
        lock (Gate)
        {
            phase = _phase;
            job = _job;
        }

        Append(Path.Combine(effects, KillLog), $"worker {phase} {cause} {Environment.ProcessId} {Generation} {job}\n");
        // Process.Kill on the current process is SIGKILL on Unix.
        System.Diagnostics.Process.GetCurrentProcess().Kill();
        Thread.Sleep(Timeout.Infinite);
    }

    private static bool Roll(string variable) => Number(variable, 0) is > 0 and var p && Random.Shared.NextDouble() < p;

    private static double Number(string variable, double fallback) =>
        double.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : fallback;
}
