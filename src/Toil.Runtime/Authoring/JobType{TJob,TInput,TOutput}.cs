using System.Text.Json.Serialization.Metadata;

namespace Toil.Runtime.Authoring;

/// <summary>
/// The registration token of a job with a return value: its stable name and the JSON type information of its input and
/// return value, with the job class, input and return types in its own type. Expose it as a static property of the job
/// class, register it with <c>services.AddToilJob(CountWords.Type)</c>, and the compiler infers the types at every
/// other call: <c>context.AddChild(CountWords.Type, input)</c> returns a <see cref="Promise{T}"/> of the return type,
/// and an input of another type does not compile. Created with <see cref="JobType.Create{TJob, TInput, TOutput}"/>.
/// </summary>
/// <typeparam name="TJob">The job class.</typeparam>
/// <typeparam name="TInput">Its input type.</typeparam>
/// <typeparam name="TOutput">Its return type.</typeparam>
/// <example>
/// <code>
/// public sealed class CountWords : IJob&lt;CountInput, int&gt;
/// {
///     public static JobType&lt;CountWords, CountInput, int&gt; Type { get; } =
///         JobType.Create&lt;CountWords, CountInput, int&gt;(MyJson.Default.CountInput, MyJson.Default.Int32, "count-words");
///     // RunAsync ...
/// }
/// </code>
/// </example>
/// <remarks>The token carries the generic types and the job class's factory (made where the class's constructors are
/// known to the trimmer), so nothing is looked up by reflection (trim- and NativeAOT-safe). See
/// <c>docs/authoring.md</c>.</remarks>
public sealed class JobType<TJob, TInput, TOutput>
    : JobTypeRegistration, ITypedJobInput<TInput>
    where TJob : class, IJob<TInput, TOutput>
{
    private readonly Func<JobExecution, TJob> _createJob;

    internal JobType(string name, Func<JobExecution, TJob> createJob, JsonTypeInfo<TInput> inputTypeInfo, JsonTypeInfo<TOutput> outputTypeInfo)
        : base(name, typeof(TJob), typeof(TInput), typeof(TOutput))
    {
        _createJob = createJob;
        InputTypeInfo = inputTypeInfo;
        OutputTypeInfo = outputTypeInfo;
    }

    internal JsonTypeInfo<TInput> InputTypeInfo { get; }

    JsonTypeInfo<TInput> ITypedJobInput<TInput>.InputTypeInfo => InputTypeInfo;

    internal JsonTypeInfo<TOutput> OutputTypeInfo { get; }

    internal override async ValueTask<byte[]?> RunAsync(JobExecution execution)
    {
        TInput input = await execution.ReadInputAsync(InputTypeInfo).ConfigureAwait(false);
        TJob job = _createJob(execution);
        TOutput output = await job.RunAsync(input, execution.Context, execution.CancellationToken).ConfigureAwait(false);
        return execution.SerializeOutput(output, OutputTypeInfo);
    }
}
