using System.Text.Json.Serialization.Metadata;

namespace Toil.Runtime.Authoring;

/// <summary>
/// The registration token of a job without a return value: its stable name and the JSON type information of its input,
/// with the job class and input type in its own type. Expose it as a static property of the job class, register it
/// with <c>services.AddToilJob(FanOut.Type)</c>, and the compiler infers the types at every other call:
/// <c>context.AddChild(FanOut.Type, input)</c>; an input of another type does not compile. Created with
/// <see cref="JobType.Create{TJob, TInput}"/>.
/// </summary>
/// <typeparam name="TJob">The job class.</typeparam>
/// <typeparam name="TInput">Its input type.</typeparam>
/// <remarks>The token carries the generic types and the job class's factory (made where the class's constructors are
/// known to the trimmer), so nothing is looked up by reflection (trim- and NativeAOT-safe). See
/// <c>docs/authoring.md</c>.</remarks>
public sealed class JobType<TJob, TInput>
    : JobTypeRegistration, ITypedJobInput<TInput>
    where TJob : class, IJob<TInput>
{
    private readonly Func<JobExecution, TJob> _createJob;

    internal JobType(string name, Func<JobExecution, TJob> createJob, JsonTypeInfo<TInput> inputTypeInfo)
        : base(name, typeof(TJob), typeof(TInput), null)
    {
        _createJob = createJob;
        InputTypeInfo = inputTypeInfo;
    }

    internal JsonTypeInfo<TInput> InputTypeInfo { get; }

    JsonTypeInfo<TInput> ITypedJobInput<TInput>.InputTypeInfo => InputTypeInfo;

    internal override async ValueTask<byte[]?> RunAsync(JobExecution execution)
    {
        TInput input = await execution.ReadInputAsync(InputTypeInfo).ConfigureAwait(false);
        TJob job = _createJob(execution);
        await job.RunAsync(input, execution.Context, execution.CancellationToken).ConfigureAwait(false);
        return null;
    }
}
