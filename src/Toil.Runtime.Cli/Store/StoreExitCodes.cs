namespace Toil.Runtime.Cli.Store;

/// <summary>The exit codes of <c>toil status</c>, <c>toil stats</c> and <c>toil clean</c> (see the tool's README).</summary>
internal static class StoreExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>The locator is not one the command can use (not a file job store).</summary>
    public const int Usage = 2;

    /// <summary>The store exists but cannot be read as one (a corrupt record, a planted symbolic link, not a store).</summary>
    public const int Corrupt = 65;

    /// <summary><c>toil clean</c> refused: a leader holds the store (sysexits' EX_TEMPFAIL: try again when it has ended).</summary>
    public const int LeaderRunning = 75;

    /// <summary>There is no job store at the locator, or it cannot be opened (the worker's code for the same case).</summary>
    public const int NoJobStore = Worker.WorkerExitCodes.NoJobStore;
}
