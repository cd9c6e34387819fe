using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Toil.Runtime.Jobs;

namespace Toil.Runtime.Testing;

/// <summary>A job that a job under test created (a child, follow-on or checkpoint child), as saved in the job store.</summary>
/// <param name="JobStoreId">The new job's ID; <see cref="JobTestHarness.RunJobAsync"/> runs it.</param>
/// <param name="TypeName">The registered job type name its body names (<c>[ToilJob("...")]</c>).</param>
/// <param name="Input">Its JSON input; an unresolved promise reads <c>{"promise":"&lt;file ID&gt;"}</c>.</param>
/// <param name="Requirements">The requirements it was created with (workflow defaults not filled in).</param>
/// <param name="IsCheckpoint">Whether it was added as a checkpoint job.</param>
public sealed record CreatedJob(string JobStoreId, string TypeName, JsonElement Input, JobRequirements Requirements, bool IsCheckpoint)
{
    /// <summary>Reads <see cref="Input"/> as <typeparamref name="TInput"/> with the same JSON context the job was registered with.</summary>
    /// <typeparam name="TInput">The job's input type.</typeparam>
    /// <param name="typeInfo">Its source-generated JSON type information.</param>
    /// <returns>The input. Promises in it are not resolved (their <c>Value</c> throws).</returns>
    public TInput InputAs<TInput>(JsonTypeInfo<TInput> typeInfo) =>
        Input.Deserialize(typeInfo ?? throw new ArgumentNullException(nameof(typeInfo)))!;
}
