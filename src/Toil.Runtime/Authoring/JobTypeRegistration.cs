using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json.Serialization.Metadata;

namespace Toil.Runtime.Authoring;

/// <summary>
/// A job type registered under a stable name, with the JSON type information of its input (and return value). Only
/// registered types run (docs/decisions.md#json-not-pickle); a job body naming another type fails with <see cref="UnknownJobTypeException"/>.
/// </summary>
/// <remarks>Every registration is a typed token, <see cref="JobType{TJob, TInput}"/> or
/// <see cref="JobType{TJob, TInput, TOutput}"/>, created with <see cref="Authoring.JobType.Create{TJob, TInput, TOutput}"/>
/// (or <see cref="Create{TJob, TInput, TOutput}"/>, which returns the same token typed as its base); no reflection beyond
/// reading <see cref="ToilJobAttribute"/> when no name is given.</remarks>
public abstract class JobTypeRegistration
{
    /// <summary>The longest accepted type name.</summary>
    public const int MaxNameLength = 200;

    private protected JobTypeRegistration(string name, Type jobType, Type inputType, Type? outputType)
    {
        Name = name;
        JobType = jobType;
        InputType = inputType;
        OutputType = outputType;
    }

    /// <summary>Gets the stable name persisted in job bodies.</summary>
    public string Name { get; }

    /// <summary>Gets the job class.</summary>
    public Type JobType { get; }

    /// <summary>Gets the input type.</summary>
    public Type InputType { get; }

    /// <summary>Gets the return type, or <see langword="null"/> for a job without a return value.</summary>
    public Type? OutputType { get; }

    /// <summary>Describes a job without a return value.</summary>
    /// <typeparam name="TJob">The job class; resolved from DI, or created with its public constructor's services.</typeparam>
    /// <typeparam name="TInput">The input type.</typeparam>
    /// <param name="inputTypeInfo">Source-generated JSON type information for <typeparamref name="TInput"/>.</param>
    /// <param name="name">The stable name; defaults to the <see cref="ToilJobAttribute"/> name, else the class's full name.</param>
    /// <returns>The registration.</returns>
    /// <exception cref="ArgumentException">The name is empty, longer than <see cref="MaxNameLength"/> or has control characters.</exception>
    public static JobTypeRegistration Create<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TJob, TInput>(JsonTypeInfo<TInput> inputTypeInfo, string? name = null)
        where TJob : class, IJob<TInput>
    {
        ArgumentNullException.ThrowIfNull(inputTypeInfo);
        return Authoring.JobType.Create<TJob, TInput>(inputTypeInfo, name);
    }

    /// <summary>Describes a job with a return value that successors can consume as a <see cref="Promise{T}"/>.</summary>
    /// <typeparam name="TJob">The job class; resolved from DI, or created with its public constructor's services.</typeparam>
    /// <typeparam name="TInput">The input type.</typeparam>
    /// <typeparam name="TOutput">The return type.</typeparam>
    /// <param name="inputTypeInfo">Source-generated JSON type information for <typeparamref name="TInput"/>.</param>
    /// <param name="outputTypeInfo">Source-generated JSON type information for <typeparamref name="TOutput"/>.</param>
    /// <param name="name">The stable name; defaults to the <see cref="ToilJobAttribute"/> name, else the class's full name.</param>
    /// <returns>The registration.</returns>
    /// <exception cref="ArgumentException">The name is empty, longer than <see cref="MaxNameLength"/> or has control characters.</exception>
    public static JobTypeRegistration Create<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TJob, TInput, TOutput>(JsonTypeInfo<TInput> inputTypeInfo, JsonTypeInfo<TOutput> outputTypeInfo, string? name = null)
        where TJob : class, IJob<TInput, TOutput>
    {
        ArgumentNullException.ThrowIfNull(inputTypeInfo);
        ArgumentNullException.ThrowIfNull(outputTypeInfo);
        return Authoring.JobType.Create<TJob, TInput, TOutput>(inputTypeInfo, outputTypeInfo, name);
    }

    /// <summary>Returns <c>name (JobType)</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Name} ({JobType.FullName})";

    /// <summary>Reads the input, runs the job and returns its serialised return value (or <see langword="null"/>).</summary>
    internal abstract ValueTask<byte[]?> RunAsync(JobExecution execution);

    internal static string ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Length > MaxNameLength || name.Any(char.IsControl))
        {
            throw new ArgumentException($"a job type name must be at most {MaxNameLength} characters without control characters", nameof(name));
        }

        return name;
    }

    internal static string ResolveName<TJob>(string? name) =>
        ValidateName(name ?? typeof(TJob).GetCustomAttribute<ToilJobAttribute>()?.Name ?? typeof(TJob).FullName ?? typeof(TJob).Name);
}
