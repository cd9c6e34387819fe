using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Toil.Runtime.Authoring;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers job types (and the <see cref="JobTypeRegistry"/> and <see cref="IJobBodyInvoker"/> that run them).</summary>
/// <remarks>Every method uses <c>TryAdd</c>: registering the same job twice is harmless.</remarks>
public static class ToilJobServiceCollectionExtensions
{
    /// <summary>Registers a job from its registration token: <c>services.AddToilJob(FanOut.Type)</c>.</summary>
    /// <typeparam name="TJob">The job class (inferred from <paramref name="type"/>); registered as a transient service.</typeparam>
    /// <typeparam name="TInput">Its input type (inferred).</typeparam>
    /// <param name="services">The services.</param>
    /// <param name="type">The job's registration token.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddToilJob<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TJob, TInput>(this IServiceCollection services, JobType<TJob, TInput> type)
        where TJob : class, IJob<TInput>
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(type);
        services.TryAddTransient<TJob>();
        return services.AddToilJob((JobTypeRegistration)type);
    }

    /// <summary>Registers a job with a return value from its registration token: <c>services.AddToilJob(CountWords.Type)</c>.</summary>
    /// <typeparam name="TJob">The job class (inferred from <paramref name="type"/>); registered as a transient service.</typeparam>
    /// <typeparam name="TInput">Its input type (inferred).</typeparam>
    /// <typeparam name="TOutput">Its return type (inferred).</typeparam>
    /// <param name="services">The services.</param>
    /// <param name="type">The job's registration token.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddToilJob<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TJob, TInput, TOutput>(this IServiceCollection services, JobType<TJob, TInput, TOutput> type)
        where TJob : class, IJob<TInput, TOutput>
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(type);
        services.TryAddTransient<TJob>();
        return services.AddToilJob((JobTypeRegistration)type);
    }

    /// <summary>Registers a job without a return value.</summary>
    /// <typeparam name="TJob">The job class; registered as a transient service.</typeparam>
    /// <typeparam name="TInput">Its input type.</typeparam>
    /// <param name="services">The services.</param>
    /// <param name="inputTypeInfo">Source-generated JSON type information for <typeparamref name="TInput"/>.</param>
    /// <param name="name">The stable type name; defaults to the <see cref="ToilJobAttribute"/> name, else the class's full name.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddToilJob<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TJob, TInput>(this IServiceCollection services, JsonTypeInfo<TInput> inputTypeInfo, string? name = null)
        where TJob : class, IJob<TInput>
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddTransient<TJob>();
        return services.AddToilJob(JobTypeRegistration.Create<TJob, TInput>(inputTypeInfo, name));
    }

    /// <summary>Registers a job with a return value.</summary>
    /// <typeparam name="TJob">The job class; registered as a transient service.</typeparam>
    /// <typeparam name="TInput">Its input type.</typeparam>
    /// <typeparam name="TOutput">Its return type.</typeparam>
    /// <param name="services">The services.</param>
    /// <param name="inputTypeInfo">Source-generated JSON type information for <typeparamref name="TInput"/>.</param>
    /// <param name="outputTypeInfo">Source-generated JSON type information for <typeparamref name="TOutput"/>.</param>
    /// <param name="name">The stable type name; defaults to the <see cref="ToilJobAttribute"/> name, else the class's full name.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddToilJob<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TJob, TInput, TOutput>(this IServiceCollection services, JsonTypeInfo<TInput> inputTypeInfo, JsonTypeInfo<TOutput> outputTypeInfo, string? name = null)
        where TJob : class, IJob<TInput, TOutput>
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddTransient<TJob>();
        return services.AddToilJob(JobTypeRegistration.Create<TJob, TInput, TOutput>(inputTypeInfo, outputTypeInfo, name));
    }

    /// <summary>Registers a job class that describes its own registration (<see cref="IToilJobType"/>).</summary>
    /// <typeparam name="TJob">The job class; registered as a transient service.</typeparam>
    /// <param name="services">The services.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentException"><typeparamref name="TJob"/>'s registration describes another class.</exception>
    public static IServiceCollection AddToilJob<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TJob>(this IServiceCollection services)
        where TJob : class, IToilJobType
    {
        ArgumentNullException.ThrowIfNull(services);
        var registration = TJob.Registration;
        if (registration?.JobType != typeof(TJob))
        {
            throw new ArgumentException($"{typeof(TJob).FullName}.Registration describes {registration?.JobType.FullName ?? "nothing"}, not {typeof(TJob).FullName}.", nameof(TJob));
        }

        services.TryAddTransient<TJob>();
        return services.AddToilJob(registration);
    }

    /// <summary>Registers a job type from its registration; the class is created with its constructor's services unless registered itself.</summary>
    /// <param name="services">The services.</param>
    /// <param name="registration">The registration.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddToilJob(this IServiceCollection services, JobTypeRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(registration);
        services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(JobTypeRegistration), registration));
        return services.AddToilJobRuntime();
    }

    /// <summary>
    /// Registers the <see cref="JobTypeRegistry"/> (built from every registered <see cref="JobTypeRegistration"/>) and
    /// the default <see cref="IJobBodyInvoker"/>. <c>AddToilRuntime</c> calls it.
    /// </summary>
    internal static IServiceCollection AddToilJobRuntime(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new JobTypeRegistry(sp.GetServices<JobTypeRegistration>()));
        services.TryAddSingleton<IJobBodyInvoker, JobBodyInvoker>();
        return services;
    }
}
