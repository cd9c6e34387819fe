using System.ComponentModel.DataAnnotations;

namespace Toil.Runtime.JobStores;

/// <summary>Options of a <see cref="FileJobStore"/>: where it lives and how it waits for and retries the filesystem.</summary>
public sealed class FileJobStoreOptions : IValidatableObject
{
    /// <summary>The default of <see cref="MaxJobRecordBytes"/>: 64 MiB, far above any real job description (a few KiB).</summary>
    public const int DefaultMaxJobRecordBytes = 64 * 1024 * 1024;
    /// <summary>
    /// Gets or sets the store's locator: <c>file:/path</c>, or a bare path (absolute, or relative to the current
    /// directory when the store is opened).
    /// </summary>
    /// <value>The default value is <see langword="null"/>; it is required.</value>
    [Required(ErrorMessage = "{0} is required")]
    public string? Locator { get; set; }

    /// <summary>
    /// Gets or sets how long an operation waits for a job record or job directory that should exist to become visible,
    /// for shared filesystems (NFS) where another node's write shows up late. Polls back off from
    /// <see cref="VisibilityPollInterval"/>, doubling up to one second. Zero disables the wait (a local disk).
    /// </summary>
    /// <value>The default value is 250 milliseconds. It must be between zero and ten minutes.</value>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Gets or sets the first delay between visibility polls; each later delay doubles, up to one second.</summary>
    /// <value>The default value is 10 milliseconds. It must be positive and at most one second.</value>
    public TimeSpan VisibilityPollInterval { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Gets or sets how long a job create, update or delete waits for the job's lock (held by another writer, in this
    /// or another process) before it fails with <see cref="JobStoreLockTimeoutException"/>.
    /// </summary>
    /// <value>The default value is 30 seconds. It must be positive and at most one hour.</value>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets how many times a filesystem step that failed with a transient I/O error (an <see cref="IOException"/>
    /// other than not-found, already-exists or a held lock) is retried. Logic errors are never retried. Zero disables
    /// retries.
    /// </summary>
    /// <value>The default value is 3. It must be between 0 and 100.</value>
    [Range(0, 100)]
    public int TransientRetryAttempts { get; set; } = 3;

    /// <summary>Gets or sets the delay before the first retry of a transient I/O error; later delays grow exponentially, with jitter.</summary>
    /// <value>The default value is 50 milliseconds. It must be between zero and one minute.</value>
    public TimeSpan TransientRetryDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Gets or sets whether what the store creates is readable by the owner's group: directories 0750 and files 0640
    /// instead of the private 0700 and 0600, whatever the process's umask. The leader's environment shared file
    /// (<see cref="SharedFileNames.Environment"/>) stays 0600 either way. See <c>docs/job-store-format.md</c>.
    /// </summary>
    /// <value>The default value is <see langword="false"/> (private: only the owner can read or enter the store).</value>
    public bool ShareWithGroup { get; set; }

    /// <summary>
    /// Gets or sets the largest job record, in bytes, the store writes or reads. A larger record (or one that cannot be
    /// read whole) is refused when loaded with <see cref="CorruptJobRecordException"/> naming the job, and never retried;
    /// writing one fails with <see cref="JobStoreException"/> and writes nothing.
    /// </summary>
    /// <value>The default value is <see cref="DefaultMaxJobRecordBytes"/> (64 MiB). It must be between 4 KiB and 1 GiB.</value>
    [Range(4096, 1024 * 1024 * 1024)]
    public int MaxJobRecordBytes { get; set; } = DefaultMaxJobRecordBytes;

    /// <summary>Gets or sets the clock used for visibility polls, lock waits and retry delays.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    [Required(ErrorMessage = "{0} is required")]
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>A test seam: called with a step name before every retried filesystem step; it may throw to inject a fault.</summary>
    internal Func<string, ValueTask>? FaultInjector { get; set; }

    /// <summary>Checks what the attributes cannot: the locator's form and the time spans' ranges.</summary>
    /// <param name="validationContext">The context (unused).</param>
    /// <returns>One result per problem; none when the options are valid.</returns>
    /// <remarks>The generated <c>FileJobStoreOptionsValidator</c> runs it after the attributes' checks.</remarks>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(Locator) && !FileJobStore.TryParseLocator(Locator, out _))
        {
            yield return new($"{nameof(Locator)} '{Locator}' is not a file job store locator (file:/path or a path)", [nameof(Locator)]);
        }

        if (VisibilityTimeout < TimeSpan.Zero || VisibilityTimeout > TimeSpan.FromMinutes(10))
        {
            yield return new($"{nameof(VisibilityTimeout)} must be between zero and ten minutes (was {VisibilityTimeout})", [nameof(VisibilityTimeout)]);
        }

        if (VisibilityPollInterval <= TimeSpan.Zero || VisibilityPollInterval > TimeSpan.FromSeconds(1))
        {
            yield return new($"{nameof(VisibilityPollInterval)} must be positive and at most one second (was {VisibilityPollInterval})", [nameof(VisibilityPollInterval)]);
        }

        if (LockTimeout <= TimeSpan.Zero || LockTimeout > TimeSpan.FromHours(1))
        {
            yield return new($"{nameof(LockTimeout)} must be positive and at most one hour (was {LockTimeout})", [nameof(LockTimeout)]);
        }

        if (TransientRetryDelay < TimeSpan.Zero || TransientRetryDelay > TimeSpan.FromMinutes(1))
        {
            yield return new($"{nameof(TransientRetryDelay)} must be between zero and one minute (was {TransientRetryDelay})", [nameof(TransientRetryDelay)]);
        }
    }
}
