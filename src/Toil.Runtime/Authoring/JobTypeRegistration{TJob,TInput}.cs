using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization.Metadata;

namespace Toil.Runtime.Authoring;

/// <summary>The registration of a job without a return value.</summary>
internal sealed class JobTypeRegistration<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TJob, TInput>(string name, JsonTypeInfo<TInput> inputTypeInfo)
    : JobTypeRegistration(name, typeof(TJob), typeof(TInput), null), ITypedJobInput<TInput>
    where TJob : class, IJob<TInput>
{
    public JsonTypeInfo<TInput> InputTypeInfo { get; } = inputTypeInfo;

    internal override async ValueTask<byte[]?> RunAsync(JobExecution execution)
    {
        TInput input = await execution.ReadInputAsync(InputTypeInfo).ConfigureAwait(false);
        TJob job = execution.CreateJob<TJob>();
        await job.RunAsync(input, execution.Context, execution.CancellationToken).ConfigureAwait(false);
        return null;
    }
}
