using System.IO.Compression;

namespace Toil.Runtime.Executors.Resources;

/// <summary>
/// The per-executor directory job resources are deployed into (Toil's <c>JTRES_ROOT</c>): each resource lands,
/// verified, in a content-addressed directory <c>&lt;root&gt;/&lt;sha256&gt;</c> published by an atomic rename, so
/// concurrent downloads of the same content are harmless and a finished download is never repeated.
/// </summary>
public sealed class JobResourceRoot
{
    /// <summary>The environment variable that holds the root's path.</summary>
    public const string EnvironmentVariable = "JTRES_ROOT";

    private const UnixFileMode RootMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private JobResourceRoot(string path, bool owned)
    {
        Path = path;
        IsOwned = owned;
    }

    /// <summary>The root directory.</summary>
    public string Path { get; }

    /// <summary>Whether this object created the root (and <see cref="DeleteIfOwned"/> removes it).</summary>
    public bool IsOwned { get; }

    /// <summary>Uses a configured root, or creates a fresh one (mode 0711) in <paramref name="temporaryDirectory"/>.</summary>
    /// <param name="configuredRoot">The value of <c>JTRES_ROOT</c>, or <see langword="null"/>/empty to create one.</param>
    /// <param name="temporaryDirectory">Where to create a root (e.g. <c>TMPDIR</c>); <see langword="null"/>/empty uses
    /// <see cref="System.IO.Path.GetTempPath"/>.</param>
    /// <returns>The root.</returns>
    /// <exception cref="JobResourceException"><paramref name="configuredRoot"/> is set but is not a directory.</exception>
    /// <exception cref="IOException">The root could not be created.</exception>
    public static JobResourceRoot Prepare(string? configuredRoot, string? temporaryDirectory)
    {
        if (!string.IsNullOrEmpty(configuredRoot))
        {
            if (!Directory.Exists(configuredRoot))
            {
                throw new JobResourceException($"{EnvironmentVariable} '{configuredRoot}' is set but is not a directory");
            }

            return new JobResourceRoot(System.IO.Path.GetFullPath(configuredRoot), owned: false);
        }

        string parent = string.IsNullOrEmpty(temporaryDirectory) ? System.IO.Path.GetTempPath() : temporaryDirectory;
        string path = System.IO.Path.Combine(System.IO.Path.GetFullPath(parent), $"toil-jtres-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path, RootMode);
        return new JobResourceRoot(path, owned: true);
    }

    /// <summary>Where <paramref name="resource"/> is (or will be) deployed: <c>&lt;root&gt;/&lt;sha256&gt;/&lt;name&gt;</c>
    /// for a file, <c>&lt;root&gt;/&lt;sha256&gt;</c> for a directory.</summary>
    /// <param name="resource">The resource.</param>
    /// <returns>The local path.</returns>
    /// <exception cref="JobResourceException">The resource is malformed.</exception>
    public string GetLocalPath(JobResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        resource.Validate();
        string directory = System.IO.Path.Combine(Path, resource.Sha256);
        return resource.Kind == JobResourceKind.File ? System.IO.Path.Combine(directory, resource.Name) : directory;
    }

    /// <summary>Deploys <paramref name="resource"/> unless it is already deployed: reads its content, verifies its
    /// SHA-256, unpacks a directory, and publishes it atomically. When another process publishes the same content
    /// first, its copy is used.</summary>
    /// <param name="resource">The resource.</param>
    /// <param name="reader">Opens the stored content.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <returns>The local path (see <see cref="GetLocalPath"/>).</returns>
    /// <exception cref="JobResourceException">The resource is malformed, cannot be read or unpacked, or its content does
    /// not match its hash; nothing is published.</exception>
    public async Task<string> DownloadAsync(JobResource resource, JobResourceReader reader, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        string localPath = GetLocalPath(resource);
        string target = System.IO.Path.Combine(Path, resource.Sha256);
        if (Directory.Exists(target))
        {
            return localPath;
        }

        // Staging names start with the hash and end with ".tmp" so a crashed download's leftovers are recognisable.
        string unique = Guid.NewGuid().ToString("N");
        string staging = System.IO.Path.Combine(Path, $"{resource.Sha256}-{unique}.tmp");
        string archive = System.IO.Path.Combine(Path, $"{resource.Sha256}-{unique}.zip.tmp");
        Directory.CreateDirectory(staging);
        try
        {
            string contentPath = resource.Kind == JobResourceKind.File ? System.IO.Path.Combine(staging, resource.Name) : archive;
            string actual = await FetchAsync(resource, reader, contentPath, cancellationToken).ConfigureAwait(false);
            if (!string.Equals(actual, resource.Sha256, StringComparison.Ordinal))
            {
                throw new JobResourceException(
                    $"resource '{resource.Name}' (file '{resource.FileId}' in '{resource.JobStore}') has SHA-256 {actual}, expected {resource.Sha256}; it was not deployed");
            }

            if (resource.Kind == JobResourceKind.Directory)
            {
                try
                {
                    // ExtractToDirectory refuses entries that would land outside the destination.
                    await ZipFile.ExtractToDirectoryAsync(archive, staging, overwriteFiles: false, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
                {
                    throw new JobResourceException($"cannot unpack directory resource '{resource.Name}': {ex.Message}", ex);
                }
            }

            try
            {
                Directory.Move(staging, target);
            }
            catch (IOException) when (Directory.Exists(target))
            {
                // Another process published the same content first; its copy is as good as ours.
                TryDeleteDirectory(staging);
            }
        }
        catch
        {
            TryDeleteDirectory(staging);
            throw;
        }
        finally
        {
            TryDeleteFile(archive);
        }

        return localPath;
    }

    /// <summary>The variables that make <paramref name="resource"/> and this root visible to a child process:
    /// <c>JTRES_ROOT</c> and <c>JTRES_&lt;pathHash&gt;</c>.</summary>
    /// <param name="resource">The resource, or <see langword="null"/> for the root only.</param>
    /// <returns>The variables.</returns>
    public IReadOnlyDictionary<string, string> GetEnvironment(JobResource? resource)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal) { [EnvironmentVariable] = Path };
        if (resource is not null)
        {
            resource.Validate();
            variables[resource.EnvironmentVariableName] = resource.ToEnvironmentValue();
        }

        return variables;
    }

    /// <summary>Deletes the root and everything deployed in it, if this object created it; a configured root belongs
    /// to whoever configured it and is left alone.</summary>
    /// <returns><see langword="true"/> if the root was deleted.</returns>
    /// <exception cref="IOException">The root could not be deleted.</exception>
    public bool DeleteIfOwned()
    {
        if (!IsOwned || !Directory.Exists(Path))
        {
            return false;
        }

        Directory.Delete(Path, recursive: true);
        return true;
    }

    private static async Task<string> FetchAsync(JobResource resource, JobResourceReader reader, string contentPath, CancellationToken cancellationToken)
    {
        try
        {
            var source = await reader(resource, cancellationToken).ConfigureAwait(false);
            await using (source.ConfigureAwait(false))
            {
                var destination = new FileStream(contentPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
                await using (destination.ConfigureAwait(false))
                {
                    return await JobResource.CopyHashingAsync(source, destination, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is not JobResourceException and not OperationCanceledException)
        {
            throw new JobResourceException(
                $"cannot read resource '{resource.Name}' (file '{resource.FileId}' in '{resource.JobStore}'): {ex.Message}", ex);
        }
    }

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void TryDeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
