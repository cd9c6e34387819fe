namespace Toil.Runtime.JobStores;

/// <summary>The file (or shared file) does not exist in the job store.</summary>
public sealed class NoSuchFileException : JobStoreException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="fileId">The missing file's ID or shared name.</param>
    public NoSuchFileException(string fileId)
        : base($"File '{fileId}' does not exist.") => FileId = fileId;

    /// <summary>The missing file's ID or shared name.</summary>
    public string FileId { get; }
}
