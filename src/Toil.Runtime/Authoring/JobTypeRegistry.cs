using System.Diagnostics.CodeAnalysis;

namespace Toil.Runtime.Authoring;

/// <summary>
/// The job types a host can run, by stable name and by class. With DI it is built from every
/// <c>AddToilJob</c> registration; a host without DI creates it from <see cref="JobTypeRegistration"/>s.
/// </summary>
/// <remarks>Lookups are thread-safe; the registry is immutable.</remarks>
public sealed class JobTypeRegistry
{
    private readonly Dictionary<string, JobTypeRegistration> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, JobTypeRegistration> _byType = [];

    /// <summary>Creates the registry.</summary>
    /// <param name="registrations">The job types; the same class with the same input and return types under the same name
    /// twice counts once.</param>
    /// <exception cref="ArgumentException">Two classes, or one class with two input or return types, share a name; or one
    /// class has two names.</exception>
    public JobTypeRegistry(IEnumerable<JobTypeRegistration> registrations)
    {
        ArgumentNullException.ThrowIfNull(registrations);
        foreach (var registration in registrations)
        {
            ArgumentNullException.ThrowIfNull(registration, nameof(registrations));
            if (_byName.TryGetValue(registration.Name, out var existing))
            {
                if (existing.GetType() == registration.GetType())
                {
                    continue;
                }

                throw new ArgumentException($"Job type name '{registration.Name}' is registered for both {Describe(existing)} and {Describe(registration)}.", nameof(registrations));
            }

            if (_byType.TryGetValue(registration.JobType, out existing))
            {
                throw new ArgumentException($"Job class {registration.JobType.FullName} is registered under two names, '{existing.Name}' and '{registration.Name}'.", nameof(registrations));
            }

            _byName[registration.Name] = registration;
            _byType[registration.JobType] = registration;
        }
    }

    /// <summary>Creates the registry.</summary>
    /// <param name="registrations">The job types.</param>
    /// <exception cref="ArgumentException">Two classes share a name, or one class has two names.</exception>
    public JobTypeRegistry(params JobTypeRegistration[] registrations)
        : this((IEnumerable<JobTypeRegistration>)registrations)
    {
    }

    /// <summary>Gets the registered names.</summary>
    public IReadOnlyCollection<string> Names => _byName.Keys;

    /// <summary>Finds the job type registered under <paramref name="name"/>.</summary>
    /// <param name="name">The stable name from a job body.</param>
    /// <param name="registration">The registration, when found.</param>
    /// <returns><see langword="true"/> when the name is registered.</returns>
    public bool TryGet(string name, [NotNullWhen(true)] out JobTypeRegistration? registration)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _byName.TryGetValue(name, out registration);
    }

    /// <summary>
    /// Finds the registration <paramref name="token"/> names and checks that it has the token's job class, input and return
    /// types (the registry's own token is returned: the one the worker runs).
    /// </summary>
    /// <exception cref="UnknownJobTypeException">No job type is registered under the token's name.</exception>
    /// <exception cref="ArgumentException">The name is registered with another class, input or return type.</exception>
    internal TToken Require<TToken>(TToken token, string jobStoreId)
        where TToken : JobTypeRegistration
    {
        ArgumentNullException.ThrowIfNull(token);
        if (!_byName.TryGetValue(token.Name, out var registration))
        {
            throw new UnknownJobTypeException(token.Name, jobStoreId);
        }

        return registration as TToken
            ?? throw new ArgumentException($"Job type '{token.Name}' is registered as {Describe(registration)}, not as {Describe(token)}.", nameof(token));
    }

    /// <summary>Finds the registration of a job class.</summary>
    /// <param name="jobType">The job class.</param>
    /// <param name="registration">The registration, when found.</param>
    /// <returns><see langword="true"/> when the class is registered.</returns>
    public bool TryGet(Type jobType, [NotNullWhen(true)] out JobTypeRegistration? registration)
    {
        ArgumentNullException.ThrowIfNull(jobType);
        return _byType.TryGetValue(jobType, out registration);
    }

    private static string Describe(JobTypeRegistration registration) =>
        $"{registration.JobType.FullName} (input {registration.InputType.Name}, output {registration.OutputType?.Name ?? "none"})";
}
