using System.ComponentModel.DataAnnotations;
using Toil.Runtime.Executors.Resources;

namespace Toil.Runtime.Executors.Contained;

/// <summary>Options of <see cref="ContainedExecutor.RunAsync"/>.</summary>
public sealed class ContainedExecutorOptions : IValidatableObject
{
    /// <summary>Reads a payload's <c>userScript</c> from its job store (<see cref="JobResourceReaders.FromLocator"/>
    /// opens the file job store the resource names).</summary>
    /// <value>The default value is <see langword="null"/>: a payload with a <c>userScript</c> then fails with exit code
    /// 255 before any child starts.</value>
    public JobResourceReader? ResourceReader { get; set; }

    /// <summary>How long the child's process group may take to exit after a forwarded SIGTERM or SIGINT before it is
    /// sent SIGKILL. Keep it below the container runtime's own grace period (Kubernetes: 30 seconds).</summary>
    /// <value>The default value is 20 seconds.</value>
    public TimeSpan TerminationGracePeriod { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The clock that times <see cref="TerminationGracePeriod"/>.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    [Required(ErrorMessage = "{0} must be set.")]
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Checks what the attributes cannot: the grace period's range.</summary>
    /// <param name="validationContext">The context (unused).</param>
    /// <returns>One result per problem; none when the options are valid.</returns>
    /// <remarks>The generated <c>ContainedExecutorOptionsValidator</c> runs it after the attributes' checks.</remarks>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (TerminationGracePeriod <= TimeSpan.Zero || TerminationGracePeriod > TimeSpan.FromDays(1))
        {
            yield return new($"{nameof(TerminationGracePeriod)} must be positive and at most one day; it is {TerminationGracePeriod}.");
        }
    }
}
