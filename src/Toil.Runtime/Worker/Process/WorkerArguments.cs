namespace Toil.Runtime.Worker;

/// <summary>
/// The parsed command line of a worker process (Toil's <c>_toil_worker JOBNAME JOBSTORELOCATOR JOBSTOREID</c>).
/// </summary>
/// <param name="JobName">The job's name, for logging only.</param>
/// <param name="JobStoreLocator">The job store's locator (e.g. <c>file:/shared/store</c>).</param>
/// <param name="JobStoreId">The ID of the job to run.</param>
internal sealed record WorkerArguments(string JobName, string JobStoreLocator, string JobStoreId)
{
    /// <summary>The one-line usage, printed with every argument error.</summary>
    public const string Usage = "usage: worker JOBNAME JOBSTORELOCATOR JOBSTOREID (or: worker --serve)";

    /// <summary>
    /// Parses <paramref name="args"/>: exactly three non-empty positional arguments. Options are refused by name
    /// (Toil's <c>--context</c> carries pickled Python objects, which a .NET worker cannot load; docs/decisions.md#json-not-pickle).
    /// </summary>
    /// <param name="args">The arguments, without the program name.</param>
    /// <param name="arguments">The parsed arguments, when valid.</param>
    /// <param name="error">Why they are not valid, otherwise.</param>
    /// <returns><see langword="true"/> when the arguments are valid.</returns>
    public static bool TryParse(IReadOnlyList<string> args, out WorkerArguments? arguments, out string? error)
    {
        ArgumentNullException.ThrowIfNull(args);
        arguments = null;
        List<string> positional = [];
        bool onlyPositional = false;
        foreach (string arg in args)
        {
            if (!onlyPositional && arg == "--")
            {
                onlyPositional = true;
                continue;
            }

            if (!onlyPositional && arg.StartsWith('-') && arg.Length > 1)
            {
                error = arg.StartsWith("--context", StringComparison.Ordinal)
                    ? "the option '--context' (pickled Python context managers) is not supported by a .NET worker"
                    : $"unknown option '{arg}'";
                return false;
            }

            positional.Add(arg);
        }

        if (positional.Count != 3)
        {
            error = positional.Count < 3
                ? $"missing argument(s): expected JOBNAME JOBSTORELOCATOR JOBSTOREID, got {positional.Count} argument(s)"
                : $"unexpected argument '{positional[3]}': expected exactly JOBNAME JOBSTORELOCATOR JOBSTOREID";
            return false;
        }

        string[] names = ["JOBNAME", "JOBSTORELOCATOR", "JOBSTOREID"];
        for (int i = 0; i < 3; i++)
        {
            if (string.IsNullOrWhiteSpace(positional[i]))
            {
                error = $"{names[i]} must not be empty";
                return false;
            }
        }

        arguments = new WorkerArguments(positional[0], positional[1], positional[2]);
        error = null;
        return true;
    }
}
