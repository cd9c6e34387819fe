using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization.Metadata;

namespace Toil.Runtime.Authoring;

/// <summary>The registration of a job with a return value.</summary>
internal sealed class JobTypeRegistration<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TJob, TInput, TOutput>(string name, JsonTypeInfo<TInput> inputTypeInfo, JsonTypeInfo<TOutput> outputTypeInfo)
    : JobTypeRegistration(name, typeof(TJob), typeof(TInput), typeof(TOutput)), ITypedJobInput<TInput>
    where TJob : class, IJob<TInput, TOutput>
{
    public JsonTypeInfo<TInput> InputTypeInfo { get; } = inputTypeInfo;

    public JsonTypeInfo<TOutput> OutputTypeInfo { get; } = outputTypeInfo;

    internal override async ValueTask<byte[]?> RunAsync(JobExecution execution)
    {
        TInput input = await execution.ReadInputAsync(InputTypeInfo).ConfigureAwait(false);
        TJob job = execution.CreateJob<TJob>();
        TOutput output = await job.RunAsync(input, execution.Context, execution.CancellationToken).ConfigureAwait(false);
        return execution.SerializeOutput(output, OutputTypeInfo);
    }
}
