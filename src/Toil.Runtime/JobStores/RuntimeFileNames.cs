namespace Toil.Runtime.JobStores;

/// <summary>
/// The base names the runtime gives the files it writes without an owner (<c>files-flat/file-&lt;hex&gt;/&lt;name&gt;</c>). A
/// promise file is read and deleted by the job that consumes it, so once a workflow has succeeded one that is left was
/// made by a commit that never finished; the root's result is the host's to read after the run and is never swept
/// (docs/decisions.md#at-least-once).
/// </summary>
internal static class RuntimeFileNames
{
    /// <summary>A promise's value, written by a commit for the new job that consumes it.</summary>
    public const string Promise = "promise";

    /// <summary>The root job's return value, read by the host once the workflow has finished.</summary>
    public const string RootResult = "result";
}
