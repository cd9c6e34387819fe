using System.Text.Json.Serialization;

namespace Toil.Runtime.Executors.Resources;

/// <summary>What a <see cref="JobResource"/>'s stored content is.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JobResourceKind>))]
public enum JobResourceKind
{
    /// <summary>A single file (e.g. a job assembly), stored as is; written as <c>file</c> in JSON.</summary>
    [JsonStringEnumMemberName("file")]
    File,

    /// <summary>A directory (e.g. a plugin folder of assemblies), stored as a zip archive of its content; written as
    /// <c>directory</c> in JSON.</summary>
    [JsonStringEnumMemberName("directory")]
    Directory,
}
