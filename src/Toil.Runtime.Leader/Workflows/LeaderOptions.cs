using System.ComponentModel.DataAnnotations;
using Toil.Runtime.JobStores;
using Toil.Runtime.Jobs;

namespace Toil.Runtime.Leader.Workflows;

/// <summary>How the leader runs a workflow. Validated when the host starts (<c>AddToilLeader</c>).</summary>
public sealed class LeaderOptions : IValidatableObject
{
    /// <summary>
    /// Gets or sets the job store's locator: <c>file:/path</c> for the embedded file job store, or
    /// <see langword="null"/> for a fresh in-memory store per run (no restart possible).
    /// <value>The default value is <see langword="null"/>.</value>
    /// </summary>
    public string? JobStore { get; set; }

    /// <summary>
    /// Gets or sets whether a run continues the workflow already in <see cref="JobStore"/> (Toil's <c>--restart</c>)
    /// instead of refusing an existing store. A restart removes unreachable jobs, finishes journaled file deletions,
    /// restarts checkpoints and resets every job's retries before it schedules.
    /// <value>The default value is <see langword="false"/>.</value>
    /// </summary>
    public bool Restart { get; set; }

    /// <summary>
    /// Gets or sets the configuration a new store is created with: retry count and back-off, default requirements.
    /// A restart uses the configuration stored with the workflow.
    /// <value>The default value is <see cref="WorkflowConfig"/>'s defaults (1 retry, 2 s back-off growing 3 times).</value>
    /// </summary>
    [Required(ErrorMessage = "{0} must not be null.")]
    public WorkflowConfig Config { get; set; } = new();

    /// <summary>
    /// Gets or sets when the job store is destroyed at the end of a run.
    /// <value>The default value is <see cref="CleanPolicy.OnSuccess"/>.</value>
    /// </summary>
    public CleanPolicy Clean { get; set; } = CleanPolicy.OnSuccess;

    /// <summary>
    /// Gets or sets how long the leader waits for a successful attempt's new job record to become visible before it
    /// counts the attempt as failed (Toil's <c>--jobStoreTimeout</c>).
    /// <value>The default value is 30 seconds.</value>
    /// </summary>
    public TimeSpan JobStoreTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets how long a starting leader waits for the store's leader lock before it gives up with
    /// <see cref="LeaderAlreadyRunningException"/>. The lock is held for the whole run and released when the leader's
    /// process ends, however it ends.
    /// <value>The default value is 5 seconds.</value>
    /// </summary>
    public TimeSpan LeaderLockTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gets or sets how often the leader reads the stats and log messages workers sent while it waits for them.
    /// <value>The default value is 1 second.</value>
    /// </summary>
    public TimeSpan StatsPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets a directory the stored log of every failed attempt is also written to, as
    /// <c>failed_&lt;job name&gt;_NNN.log</c> (Toil's <c>--writeLogs</c>); <see langword="null"/> for none.
    /// <value>The default value is <see langword="null"/>.</value>
    /// </summary>
    public string? WriteLogsDirectory { get; set; }

    /// <summary>
    /// Gets or sets whether the leader starts the real-time logging server for the run and passes its address to
    /// every worker (Toil's <c>--realTimeLogging</c>).
    /// <value>The default value is <see langword="false"/>.</value>
    /// </summary>
    public bool RealtimeLogging { get; set; }

    /// <summary>
    /// Gets the environment variables passed to every worker (Toil's <c>--setEnv</c>), beyond those the leader sets.
    /// <value>The default value is empty.</value>
    /// </summary>
    public IDictionary<string, string> WorkerEnvironment { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Gets or sets whether the run stops at the first job that fails for good (Toil's <c>--stopOnFirstFailure</c>):
    /// running attempts are killed and the result lists that job.
    /// <value>The default value is <see langword="false"/>.</value>
    /// </summary>
    public bool StopOnFirstFailure { get; set; }

    /// <summary>
    /// Gets or sets where the run's timeline (a self-contained HTML page with an SVG Gantt chart of every attempt) is
    /// written at the end of every run; <see langword="null"/> for nowhere unless <see cref="WriteTimeline"/> asks for it
    /// next to the store. See <c>docs/progress.md</c>.
    /// <value>The default value is <see langword="null"/>.</value>
    /// </summary>
    public string? TimelinePath { get; set; }

    /// <summary>
    /// Gets or sets whether the run's timeline is written when <see cref="TimelinePath"/> is not set: beside a file job
    /// store, as <c>&lt;store directory&gt;.timeline.html</c> (outside the store, so it outlives the store's clean-up).
    /// <value>The default value is <see langword="false"/>.</value>
    /// </summary>
    public bool WriteTimeline { get; set; }

    /// <summary>Checks what the attributes cannot: the locator's form, the restart's store, the retry settings and the time spans.</summary>
    /// <param name="validationContext">The context (unused).</param>
    /// <returns>One result per problem; none when the options are valid.</returns>
    /// <remarks>The generated <c>LeaderOptionsValidator</c> runs it after the attributes' checks.</remarks>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (JobStore is not null && !FileJobStore.TryParseLocator(JobStore, out _))
        {
            yield return new($"LeaderOptions.JobStore '{JobStore}' is not a file job store locator (file:/path); leave it unset for an in-memory store.");
        }

        if (Restart && JobStore is null)
        {
            yield return new("LeaderOptions.Restart needs LeaderOptions.JobStore: an in-memory store does not outlive its process.");
        }

        if (Config is not null && (Config.RetryCount < 0 || Config.RetryBackoffSeconds < 0 || Config.RetryBackoffFactor < 1))
        {
            yield return new("LeaderOptions.Config: RetryCount and RetryBackoffSeconds must be >= 0 and RetryBackoffFactor >= 1.");
        }

        if (JobStoreTimeout < TimeSpan.Zero || LeaderLockTimeout < TimeSpan.Zero || StatsPollInterval <= TimeSpan.Zero)
        {
            yield return new("LeaderOptions: JobStoreTimeout and LeaderLockTimeout must be >= 0 and StatsPollInterval > 0.");
        }
    }
}
