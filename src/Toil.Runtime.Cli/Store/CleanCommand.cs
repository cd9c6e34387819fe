using System.CommandLine;
using Toil.Runtime.JobStores;
using Toil.Runtime.Logging;

namespace Toil.Runtime.Cli.Store;

/// <summary>
/// <c>toil clean STORE [--force]</c> (Toil's <c>toil clean</c>): destroys a job store. Refuses (exit
/// <see cref="StoreExitCodes.LeaderRunning"/>) while a leader holds the store's leader lock, unless forced; a missing
/// store is nothing to do (exit 0, as destroying is idempotent); a directory that is not a store is left alone.
/// </summary>
internal static class CleanCommand
{
    /// <summary>The sub-command's name.</summary>
    public const string Name = "clean";

    /// <summary>Creates the sub-command.</summary>
    /// <returns>The <c>clean</c> command.</returns>
    public static Command Create()
    {
        var store = StoreArgument.Create();
        var force = new Option<bool>("--force") { Description = "Destroy the store even while a leader runs on it (that leader's run then fails)." };
        var command = new Command(Name, "Destroy a job store, refusing while a leader runs on it unless forced.")
        {
            store,
            force,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            try
            {
                string path = StoreAccess.PathOf(parse.GetRequiredValue(store));
                string locator = "file:" + path;
                if (!Directory.Exists(path))
                {
                    // Also finishes a destroy or a create that a crash interrupted beside it.
                    await FileJobStore.DestroyAsync(locator, cancellationToken).ConfigureAwait(false);
                    output.WriteLine($"No job store at {TerminalText.EscapeLine(locator)}: nothing to clean.");
                    return StoreExitCodes.Success;
                }

                var (alive, holder) = StoreAccess.ProbeLeader(path);
                if (alive && !parse.GetValue(force))
                {
                    throw new StoreCommandException(
                        StoreExitCodes.LeaderRunning,
                        $"A leader ({holder ?? "holder unknown"}) is running on the job store '{locator}'; stop it first, or use --force to destroy the store under it.");
                }

                try
                {
                    await FileJobStore.DestroyAsync(locator, cancellationToken).ConfigureAwait(false);
                }
                catch (JobStoreException e)
                {
                    throw new StoreCommandException(StoreExitCodes.Corrupt, e.Message, e);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new StoreCommandException(StoreExitCodes.NoJobStore, $"The job store '{locator}' could not be destroyed: {e.Message}", e);
                }

                output.WriteLine($"Destroyed the job store {TerminalText.EscapeLine(locator)}{(alive ? " (a leader was running on it)" : string.Empty)}.");
                return StoreExitCodes.Success;
            }
            catch (StoreCommandException e)
            {
                return StoreAccess.Fail(error, e);
            }
        });
        return command;
    }
}
