namespace Toil.Runtime.Leader.Workflows;

/// <summary>
/// A workflow ended with jobs that failed for good (Toil's <c>FailedJobsException</c>). The store keeps them, so the
/// workflow can be restarted.
/// </summary>
public sealed class FailedJobsException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FailedJobsException()
        : this("The workflow has failed jobs.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public FailedJobsException(string message)
        : base(message)
    {
        Result = new WorkflowResult { FailedJobs = [], JobStoreLocator = string.Empty };
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public FailedJobsException(string message, Exception innerException)
        : base(message, innerException)
    {
        Result = new WorkflowResult { FailedJobs = [], JobStoreLocator = string.Empty };
    }

    /// <summary>Creates the exception for a run's result.</summary>
    /// <param name="result">The run's result.</param>
    public FailedJobsException(WorkflowResult result)
        : base(Describe(result))
    {
        Result = result;
    }

    /// <summary>Gets the run's result.</summary>
    public WorkflowResult Result { get; }

    /// <summary>Gets how many jobs failed for good.</summary>
    public int NumberOfFailedJobs => Result.FailedJobs.Count;

    private static string Describe(WorkflowResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return $"The job store '{result.JobStoreLocator}' contains {result.FailedJobs.Count} failed job(s): " +
               string.Join(", ", result.FailedJobs.Select(j => $"'{j.JobName}' {j.JobStoreId}"));
    }
}
