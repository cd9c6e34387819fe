namespace Toil.Runtime.Jobs;

/// <summary>
/// The resource requirements a job sets explicitly (Toil's requirement overrides). A requirement left
/// <see langword="null"/> falls back to the workflow default in <see cref="WorkflowConfig"/>.
/// </summary>
public sealed record JobRequirements
{
    private readonly DataSize? _memory;
    private readonly double? _cores;
    private readonly DataSize? _disk;
    private readonly TimeSpan? _walltime;
    private readonly IReadOnlyList<AcceleratorRequirement>? _accelerators;

    /// <summary>No explicit requirement: every value comes from the workflow defaults.</summary>
    public static JobRequirements None { get; } = new();

    /// <summary>Memory, e.g. <c>"2Gi"</c> or <c>2147483648</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public DataSize? Memory { get => _memory; init => _memory = NonNegative(value, "memory"); }

    /// <summary>Cores; fractions are allowed.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or not a finite number.</exception>
    public double? Cores
    {
        get => _cores;
        init => _cores = value is { } c && (c < 0 || !double.IsFinite(c))
            ? throw new ArgumentOutOfRangeException(nameof(Cores), value, "cores must be a finite, non-negative number")
            : value;
    }

    /// <summary>Scratch disk, e.g. <c>"10Gi"</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public DataSize? Disk { get => _disk; init => _disk = NonNegative(value, "disk"); }

    /// <summary>Accelerators; an empty list means none.</summary>
    public IReadOnlyList<AcceleratorRequirement>? Accelerators
    {
        get => _accelerators;
        init => _accelerators = value is null ? null : [.. value];
    }

    /// <summary>Whether the job may run on preemptible (spot) capacity.</summary>
    public bool? Preemptible { get; init; }

    /// <summary>Wall-clock limit; <see cref="TimeSpan.Zero"/> means none.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan? Walltime
    {
        get => _walltime;
        init => _walltime = value is { } w && w < TimeSpan.Zero
            ? throw new ArgumentOutOfRangeException(nameof(Walltime), value, "walltime cannot be negative")
            : value;
    }

    /// <summary>
    /// Parses requirements given as text (a command line or configuration file), with Toil's rules: memory and disk
    /// in human-readable sizes, cores as a number, preemptible as <c>true</c>/<c>false</c>/<c>1</c>/<c>0</c> in any case,
    /// accelerators as <c>desc[:count]</c> items separated by commas, walltime in whole seconds.
    /// </summary>
    /// <param name="memory">Memory text, or <see langword="null"/>.</param>
    /// <param name="cores">Cores text, or <see langword="null"/>.</param>
    /// <param name="disk">Disk text, or <see langword="null"/>.</param>
    /// <param name="preemptible">Preemptible text, or <see langword="null"/>.</param>
    /// <param name="accelerators">Accelerators text, or <see langword="null"/>.</param>
    /// <param name="walltime">Walltime text (seconds), or <see langword="null"/>.</param>
    /// <returns>The requirements.</returns>
    /// <exception cref="FormatException">A value is malformed; the message names the field.</exception>
    public static JobRequirements Parse(string? memory = null, string? cores = null, string? disk = null, string? preemptible = null, string? accelerators = null, string? walltime = null)
    {
        double? parsedCores = null;
        if (cores is not null)
        {
            if (!double.TryParse(cores, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double c) || c < 0 || !double.IsFinite(c))
            {
                throw new FormatException($"Invalid cores '{cores}': expected a non-negative number");
            }

            parsedCores = c;
        }

        bool? parsedPreemptible = preemptible?.Trim().ToLowerInvariant() switch
        {
            null => null,
            "true" or "1" => true,
            "false" or "0" => false,
            _ => throw new FormatException($"Invalid preemptible '{preemptible}': expected true, false, 1 or 0"),
        };

        TimeSpan? parsedWalltime = null;
        if (walltime is not null)
        {
            parsedWalltime = TimeSpan.FromSeconds(DataSize.Parse(walltime, "walltime"));
        }

        return new JobRequirements
        {
            Memory = memory is null ? null : DataSize.Parse(memory, "memory"),
            Disk = disk is null ? null : DataSize.Parse(disk, "disk"),
            Cores = parsedCores,
            Preemptible = parsedPreemptible,
            Accelerators = accelerators is null ? null : [.. accelerators.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(AcceleratorRequirement.Parse)],
            Walltime = parsedWalltime,
        };
    }

    /// <inheritdoc />
    public bool Equals(JobRequirements? other) =>
        other is not null
        && Memory == other.Memory && Cores == other.Cores && Disk == other.Disk && Preemptible == other.Preemptible && Walltime == other.Walltime
        && (Accelerators is null ? other.Accelerators is null : other.Accelerators is not null && Accelerators.SequenceEqual(other.Accelerators));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Memory, Cores, Disk, Preemptible, Walltime, Accelerators?.Count);

    private static DataSize? NonNegative(DataSize? value, string field) =>
        value is { Bytes: < 0 } ? throw new ArgumentOutOfRangeException(field, value.Value.Bytes, $"{field} cannot be negative") : value;
}
