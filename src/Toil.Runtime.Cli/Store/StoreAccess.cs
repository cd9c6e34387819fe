using System.Text.Json;
using Microsoft.Extensions.Options;
using Toil.Runtime.JobStores;
using Toil.Runtime.Leader.Scheduling;
using Toil.Runtime.Logging;

namespace Toil.Runtime.Cli.Store;

/// <summary>
/// What the operator commands share: the locator's path, opening the store with each failure turned into a
/// <see cref="StoreCommandException"/> with its exit code, the leader-lock probe, and printing an error.
/// </summary>
internal static class StoreAccess
{
    /// <summary>The path of a file job store locator.</summary>
    /// <exception cref="StoreCommandException">Not a file job store locator (<see cref="StoreExitCodes.Usage"/>).</exception>
    public static string PathOf(string locator) =>
        FileJobStore.TryParseLocator(locator, out string? path)
            ? path
            : throw new StoreCommandException(StoreExitCodes.Usage, $"'{locator}' is not a file job store locator (file:/path or a path); only file job stores can be inspected.");

    /// <summary>Opens the store read-mostly (opening sweeps the trash of interrupted deletions, as a worker's open does).</summary>
    /// <exception cref="StoreCommandException">Missing, unreadable or corrupt.</exception>
    public static async ValueTask<FileJobStore> OpenAsync(string locator, CancellationToken cancellationToken)
    {
        string path = PathOf(locator);
        try
        {
            return await FileJobStore.OpenAsync(new FileJobStoreOptions { Locator = "file:" + path, VisibilityTimeout = TimeSpan.Zero }, null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(e, "file:" + path) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>Turns a job store's failure into the command's typed error, or <see langword="null"/> for a bug.</summary>
    public static StoreCommandException? Translate(Exception e, string locator) => e switch
    {
        NoSuchJobStoreException => new StoreCommandException(StoreExitCodes.NoJobStore, $"There is no job store at '{locator}' (nothing there, or a store that was never completed or was destroyed).", e),
        SymbolicLinkInJobStoreException or CorruptJobRecordException or JsonException => new StoreCommandException(StoreExitCodes.Corrupt, $"The job store '{locator}' is corrupt: {e.Message}", e),
        InvalidJobStoreIdException => new StoreCommandException(StoreExitCodes.Corrupt, $"The job store '{locator}' is corrupt: {e.Message}", e),
        OptionsValidationException => new StoreCommandException(StoreExitCodes.Usage, e.Message, e),
        JobStoreException or IOException or UnauthorizedAccessException => new StoreCommandException(StoreExitCodes.NoJobStore, $"The job store '{locator}' cannot be read: {e.Message}", e),
        _ => null,
    };

    /// <summary>Probes the leader lock without holding it.</summary>
    /// <returns>Whether a leader runs on the store, and what it wrote into the lock (<c>pid@host</c>).</returns>
    public static (bool Alive, string? Holder) ProbeLeader(string path)
    {
        try
        {
            bool held = LeaderLock.IsHeld(path, out string? holder);
            return (held, holder);
        }
        catch (Exception e) when (Translate(e, "file:" + path) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>Writes an error for the operator (escaped: a locator or a job's text may hold control characters).</summary>
    public static int Fail(TextWriter error, StoreCommandException e)
    {
        error.WriteLine("error: " + TerminalText.Escape(e.Message));
        return e.ExitCode;
    }
}
