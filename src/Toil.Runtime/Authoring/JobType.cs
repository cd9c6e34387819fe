using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization.Metadata;

namespace Toil.Runtime.Authoring;

/// <summary>
/// Creates job registration tokens (<see cref="JobType{TJob, TInput}"/>, <see cref="JobType{TJob, TInput, TOutput}"/>):
/// the one place a job's type arguments are written. See <c>docs/authoring.md</c>.
/// </summary>
public static class JobType
{
    /// <summary>Creates the token of a job without a return value.</summary>
    /// <typeparam name="TJob">The job class; resolved from DI, or created with its public constructor's services.</typeparam>
    /// <typeparam name="TInput">The input type.</typeparam>
    /// <param name="inputTypeInfo">Source-generated JSON type information for <typeparamref name="TInput"/>.</param>
    /// <param name="name">The stable name; defaults to the <see cref="ToilJobAttribute"/> name, else the class's full name.</param>
    /// <returns>The token.</returns>
    /// <exception cref="ArgumentException">The name is empty, longer than <see cref="JobTypeRegistration.MaxNameLength"/> or has control characters.</exception>
    public static JobType<TJob, TInput> Create<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TJob, TInput>(JsonTypeInfo<TInput> inputTypeInfo, string? name = null)
        where TJob : class, IJob<TInput>
    {
        ArgumentNullException.ThrowIfNull(inputTypeInfo);
        return new JobType<TJob, TInput>(JobTypeRegistration.ResolveName<TJob>(name), static execution => execution.CreateJob<TJob>(), inputTypeInfo);
    }

    /// <summary>Creates the token of a job with a return value that successors can consume as a <see cref="Promise{T}"/>.</summary>
    /// <typeparam name="TJob">The job class; resolved from DI, or created with its public constructor's services.</typeparam>
    /// <typeparam name="TInput">The input type.</typeparam>
    /// <typeparam name="TOutput">The return type.</typeparam>
    /// <param name="inputTypeInfo">Source-generated JSON type information for <typeparamref name="TInput"/>.</param>
    /// <param name="outputTypeInfo">Source-generated JSON type information for <typeparamref name="TOutput"/>.</param>
    /// <param name="name">The stable name; defaults to the <see cref="ToilJobAttribute"/> name, else the class's full name.</param>
    /// <returns>The token.</returns>
    /// <exception cref="ArgumentException">The name is empty, longer than <see cref="JobTypeRegistration.MaxNameLength"/> or has control characters.</exception>
    public static JobType<TJob, TInput, TOutput> Create<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TJob, TInput, TOutput>(JsonTypeInfo<TInput> inputTypeInfo, JsonTypeInfo<TOutput> outputTypeInfo, string? name = null)
        where TJob : class, IJob<TInput, TOutput>
    {
        ArgumentNullException.ThrowIfNull(inputTypeInfo);
        ArgumentNullException.ThrowIfNull(outputTypeInfo);
        return new JobType<TJob, TInput, TOutput>(JobTypeRegistration.ResolveName<TJob>(name), static execution => execution.CreateJob<TJob>(), inputTypeInfo, outputTypeInfo);
    }
}
