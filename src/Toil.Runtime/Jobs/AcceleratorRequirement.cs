namespace Toil.Runtime.Jobs;

/// <summary>One kind of accelerator a job needs (Toil's <c>AcceleratorRequirement</c>).</summary>
/// <param name="Count">How many; at least 1.</param>
/// <param name="Kind">The kind, e.g. <c>gpu</c>.</param>
/// <param name="Model">An optional model, e.g. <c>nvidia-tesla-k80</c>.</param>
/// <param name="Brand">An optional brand, e.g. <c>nvidia</c>.</param>
/// <param name="Api">An optional API, e.g. <c>cuda</c>.</param>
public sealed record AcceleratorRequirement(int Count = 1, string Kind = "gpu", string? Model = null, string? Brand = null, string? Api = null)
{
    /// <summary>
    /// Parses Toil's accelerator text form: a bare count (<c>"2"</c>, that many GPUs) or <c>desc[:count]</c>, where
    /// <c>desc</c> is a kind (<c>gpu</c>), a brand (<c>nvidia</c>, <c>amd</c>), an API (<c>cuda</c>, <c>rocm</c>,
    /// <c>opencl</c>) or a model; the brand is guessed from the API or a model prefix.
    /// </summary>
    /// <param name="text">The text, e.g. <c>"cuda:2"</c>.</param>
    /// <returns>The requirement.</returns>
    /// <exception cref="FormatException">The text is empty, or the count is not a positive whole number.</exception>
    public static AcceleratorRequirement Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split(':');
        if (parts.Length > 2 || string.IsNullOrWhiteSpace(parts[0]))
        {
            throw new FormatException($"Invalid accelerators '{text}': expected 'description[:count]'");
        }

        // Toil: an integer is a count (of GPUs), e.g. "2".
        if (parts.Length == 1 && int.TryParse(parts[0].Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int bare))
        {
            return bare >= 1 ? new AcceleratorRequirement(bare) : throw new FormatException($"Invalid accelerators '{text}': the count must be a positive whole number");
        }

        int count = 1;
        if (parts.Length == 2 && (!int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out count) || count < 1))
        {
            throw new FormatException($"Invalid accelerators '{text}': the count must be a positive whole number");
        }

        string desc = parts[0].Trim().ToLowerInvariant();
        return desc switch
        {
            "gpu" => new AcceleratorRequirement(count),
            "nvidia" or "amd" or "intel" => new AcceleratorRequirement(count, Brand: desc),
            "cuda" => new AcceleratorRequirement(count, Api: "cuda", Brand: "nvidia"),
            "rocm" => new AcceleratorRequirement(count, Api: "rocm", Brand: "amd"),
            "opencl" => new AcceleratorRequirement(count, Api: "opencl"),
            _ when desc.StartsWith("nvidia", StringComparison.Ordinal) => new AcceleratorRequirement(count, Model: desc, Brand: "nvidia"),
            _ when desc.StartsWith("amd", StringComparison.Ordinal) => new AcceleratorRequirement(count, Model: desc, Brand: "amd"),
            _ => new AcceleratorRequirement(count, Model: desc),
        };
    }

    /// <summary>Whether an accelerator offered as <paramref name="offered"/> satisfies this requirement's description (not its count).</summary>
    /// <param name="offered">The offered accelerator.</param>
    /// <returns><see langword="true"/> when kind, and each of model, brand and API that this requirement names, match.</returns>
    public bool IsSatisfiedBy(AcceleratorRequirement offered)
    {
        ArgumentNullException.ThrowIfNull(offered);
        return Kind == offered.Kind
            && (Model is null || Model == offered.Model)
            && (Brand is null || Brand == offered.Brand)
            && (Api is null || Api == offered.Api);
    }
}
