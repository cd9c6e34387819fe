using System.Text.RegularExpressions;

namespace Toil.Runtime.JobStores;

/// <summary>Names of shared files: validation, and the names the runtime itself uses.</summary>
public static partial class SharedFileNames
{
    /// <summary>The workflow configuration (<see cref="Jobs.WorkflowConfig"/>).</summary>
    public const string Config = "config.json";

    /// <summary>The root job's ID.</summary>
    public const string RootJobId = "rootJobStoreID";

    /// <summary>The root job's return value.</summary>
    public const string RootJobReturnValue = "rootJobReturnValue";

    /// <summary>The leader's environment, applied by workers (JSON object of strings).</summary>
    public const string Environment = "environment.json";

    /// <summary>
    /// Throws unless <paramref name="name"/> is made only of <c>[A-Za-z0-9._-]</c> (at least one; the whole string, so not
    /// even a final newline) and is not <c>.</c> or <c>..</c>.
    /// </summary>
    /// <param name="name">The name.</param>
    /// <returns>The name.</returns>
    /// <exception cref="InvalidJobStoreIdException">The name is not valid.</exception>
    public static string Validate(string name)
    {
        if (name is null || !NamePattern().IsMatch(name) || name is "." or "..")
        {
            throw new InvalidJobStoreIdException(name ?? "<null>", "a shared file name must match \\A[A-Za-z0-9._-]+\\z");
        }

        return name;
    }

    // \A and \z, not ^ and $: in .NET, $ also matches before a final "\n", which would let "config.json\n" through.
    [GeneratedRegex(@"\A[A-Za-z0-9._-]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
