using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Toil.Runtime.Executors.Serialization;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Executors.Resources;

/// <summary>
/// A job assembly (a file) or a plugin directory stored in a job store for deployment to workers: the .NET analogue
/// of Toil's user-script <c>Resource</c>. It travels as the contained executor's <c>userScript</c> and, to child
/// processes, as the environment variable <c>JTRES_&lt;PathHash&gt;</c>.
/// </summary>
/// <remarks>
/// JSON shape: <c>{"kind":"file"|"directory","name":"Jobs.dll","pathHash":"&lt;32 hex&gt;","jobStore":"file:/store",
/// "fileId":"&lt;job-store file ID&gt;","sha256":"&lt;64 hex&gt;"}</c>. A directory is stored as a zip archive of its
/// content and <see cref="Sha256"/> is the archive's hash.
/// </remarks>
public sealed class JobResource
{
    /// <summary>The prefix of the environment variables that register resources (Toil's <c>JTRES_</c>).</summary>
    public const string EnvironmentPrefix = "JTRES_";

    private static readonly string[] RefusedDirectories = ["/", "/tmp", "/var", "/etc", "/bin", "/sbin", "/home", "/dev", "/sys", "/usr", "/run"];

    /// <summary>Creates a resource description.</summary>
    /// <param name="kind">Whether the content is a file or a zipped directory.</param>
    /// <param name="name">The file or directory name on the leader (one path component).</param>
    /// <param name="pathHash">Lowercase hex MD5 of the leader path (see <see cref="HashLeaderPath"/>).</param>
    /// <param name="jobStore">The locator of the job store holding the content.</param>
    /// <param name="fileId">The job-store file ID of the content.</param>
    /// <param name="sha256">Lowercase hex SHA-256 of the stored content.</param>
    [JsonConstructor]
    public JobResource(JobResourceKind kind, string name, string pathHash, string jobStore, string fileId, string sha256)
    {
        Kind = kind;
        Name = name;
        PathHash = pathHash;
        JobStore = jobStore;
        FileId = fileId;
        Sha256 = sha256;
    }

    /// <summary>Whether the content is a file or a zipped directory.</summary>
    [JsonPropertyName("kind")]
    public JobResourceKind Kind { get; }

    /// <summary>The file or directory name on the leader; a file is deployed under this name.</summary>
    [JsonPropertyName("name")]
    public string Name { get; }

    /// <summary>Lowercase hex MD5 of the leader path: the key of the resource's environment variable (MD5 for name
    /// compatibility with Toil's <c>JTRES_&lt;md5&gt;</c>, not for integrity).</summary>
    [JsonPropertyName("pathHash")]
    public string PathHash { get; }

    /// <summary>The locator of the job store holding the content.</summary>
    [JsonPropertyName("jobStore")]
    public string JobStore { get; }

    /// <summary>The job-store file ID of the content.</summary>
    [JsonPropertyName("fileId")]
    public string FileId { get; }

    /// <summary>Lowercase hex SHA-256 of the stored content; it names the deployed directory and is verified on download.</summary>
    [JsonPropertyName("sha256")]
    public string Sha256 { get; }

    /// <summary>The name of the environment variable that registers this resource: <c>JTRES_&lt;PathHash&gt;</c>.</summary>
    [JsonIgnore]
    public string EnvironmentVariableName => EnvironmentPrefix + PathHash;

    /// <summary>Hashes a leader path the way Toil does: lowercase hex MD5 of its UTF-8 bytes.</summary>
    /// <param name="leaderPath">The path of the file or directory on the leader.</param>
    /// <returns>32 lowercase hex digits.</returns>
    public static string HashLeaderPath(string leaderPath)
    {
        ArgumentNullException.ThrowIfNull(leaderPath);
#pragma warning disable CA5351 // A name, not an integrity check: Toil keys JTRES_ variables by MD5 of the path.
        return Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(leaderPath)));
#pragma warning restore CA5351
    }

    /// <summary>Stores a file or a directory (zipped) in <paramref name="store"/> for deployment (the leader side).</summary>
    /// <param name="store">The job store.</param>
    /// <param name="leaderPath">The file or directory; a top-level system directory such as <c>/usr</c> is refused.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The resource describing the stored content.</returns>
    /// <exception cref="JobResourceException">The path does not exist or is a refused directory.</exception>
    public static async Task<JobResource> CreateAsync(IJobStore store, string leaderPath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(leaderPath);
        string full = Path.GetFullPath(leaderPath);
        string trimmed = Path.TrimEndingDirectorySeparator(full);
        bool isDirectory = Directory.Exists(full);
        if (!isDirectory && !File.Exists(full))
        {
            throw new JobResourceException($"cannot deploy '{leaderPath}': no such file or directory");
        }

        if (isDirectory && RefusedDirectories.Contains(trimmed.Length == 0 ? "/" : trimmed, StringComparer.Ordinal))
        {
            throw new JobResourceException($"refusing to deploy the system directory '{trimmed}'");
        }

        string name = Path.GetFileName(trimmed);
        string? archive = null;
        try
        {
            string contentPath = full;
            if (isDirectory)
            {
                archive = Path.Combine(Path.GetTempPath(), $"toil-resource-{Guid.NewGuid():N}.zip");
                await ZipFile.CreateFromDirectoryAsync(full, archive, CompressionLevel.Optimal, includeBaseDirectory: false, cancellationToken).ConfigureAwait(false);
                contentPath = archive;
            }

            string sha256 = string.Empty;
            string fileId = await store.WriteFileAsync(
                async (destination, ct) =>
                {
                    var source = new FileStream(contentPath, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
                    await using (source.ConfigureAwait(false))
                    {
                        sha256 = await CopyHashingAsync(source, destination, ct).ConfigureAwait(false);
                    }
                },
                baseName: name,
                cancellationToken: cancellationToken).ConfigureAwait(false);

            return new JobResource(isDirectory ? JobResourceKind.Directory : JobResourceKind.File, name, HashLeaderPath(trimmed), store.Locator, fileId, sha256);
        }
        finally
        {
            if (archive is not null)
            {
                File.Delete(archive);
            }
        }
    }

    /// <summary>Finds the resource registered for <paramref name="leaderPath"/> in an environment (the worker side).</summary>
    /// <param name="leaderPath">The path the leader deployed.</param>
    /// <param name="environment">The variables to search; <see langword="null"/> reads this process's environment.</param>
    /// <returns>The resource, or <see langword="null"/> if none is registered for that path.</returns>
    /// <exception cref="JobResourceException">The variable's value is malformed or names another path.</exception>
    public static JobResource? Lookup(string leaderPath, IReadOnlyDictionary<string, string>? environment = null)
    {
        string pathHash = HashLeaderPath(leaderPath);
        string variable = EnvironmentPrefix + pathHash;
        string? value = environment is null
            ? Environment.GetEnvironmentVariable(variable)
            : environment.GetValueOrDefault(variable);
        if (value is null)
        {
            return null;
        }

        var resource = ParseEnvironmentValue(value);
        if (!string.Equals(resource.PathHash, pathHash, StringComparison.Ordinal))
        {
            throw new JobResourceException($"{variable} registers path hash '{resource.PathHash}', not '{pathHash}'");
        }

        return resource;
    }

    /// <summary>Parses the value of a <c>JTRES_</c> variable: <c>&lt;kind&gt;:&lt;JSON array [name, pathHash, jobStore, fileId, sha256]&gt;</c>.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The validated resource.</returns>
    /// <exception cref="JobResourceException">The value is malformed.</exception>
    public static JobResource ParseEnvironmentValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        int colon = value.IndexOf(':', StringComparison.Ordinal);
        JobResourceKind? kind = colon < 0 ? null : value[..colon] switch
        {
            "file" => JobResourceKind.File,
            "directory" => JobResourceKind.Directory,
            _ => null,
        };
        string[]? fields = null;
        if (kind is not null)
        {
            try
            {
                fields = JsonSerializer.Deserialize(value.AsSpan(colon + 1), ExecutorsJsonContext.Default.StringArray);
            }
            catch (JsonException)
            {
            }
        }

        if (kind is null || fields is not { Length: 5 } || fields.Any(f => f is null))
        {
            throw new JobResourceException("a JTRES_ value must be 'file:' or 'directory:' followed by a JSON array of five strings [name, pathHash, jobStore, fileId, sha256]");
        }

        var resource = new JobResource(kind.Value, fields[0], fields[1], fields[2], fields[3], fields[4]);
        resource.Validate();
        return resource;
    }

    /// <summary>The value of this resource's environment variable (see <see cref="ParseEnvironmentValue"/>).</summary>
    /// <returns>The value.</returns>
    public string ToEnvironmentValue()
    {
        string tag = Kind == JobResourceKind.File ? "file" : "directory";
        return tag + ":" + JsonSerializer.Serialize([Name, PathHash, JobStore, FileId, Sha256], ExecutorsJsonContext.Default.StringArray);
    }

    /// <summary>Checks that every field is well formed, so that no field can escape the deployment root.</summary>
    /// <exception cref="JobResourceException">A field is malformed.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Kind))
        {
            throw new JobResourceException($"unknown resource kind {(int)Kind}");
        }

        if (string.IsNullOrEmpty(Name) || Name is "." or ".." || Name.IndexOfAny(['/', '\\', '\0']) >= 0)
        {
            throw new JobResourceException($"resource name '{Name}' is not a single file name");
        }

        if (!IsLowerHex(PathHash, 32))
        {
            throw new JobResourceException($"resource pathHash '{PathHash}' is not 32 lowercase hex digits");
        }

        if (!IsLowerHex(Sha256, 64))
        {
            throw new JobResourceException($"resource sha256 '{Sha256}' is not 64 lowercase hex digits");
        }

        if (string.IsNullOrEmpty(JobStore) || string.IsNullOrEmpty(FileId))
        {
            throw new JobResourceException("resource jobStore and fileId must not be empty");
        }
    }

    internal static async Task<string> CopyHashingAsync(Stream source, Stream destination, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[81920];
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static bool IsLowerHex(string? value, int length) =>
        value is not null && value.Length == length && value.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));
}
