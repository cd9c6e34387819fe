using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Toil.Runtime.Jobs;

namespace Toil.Runtime.Tests.Architecture;

/// <summary>
/// The one-direction rule of docs/architecture.md ("Inside Toil.Runtime"), checked on the compiled core assembly: no
/// feature folder's namespace uses one above it, whatever the source spelled (fully qualified names and global usings
/// included, see <see cref="TypeUseScanner"/>). The checker itself is tested on fixtures that break the rule on purpose.
/// </summary>
public sealed class LayeringTests
{
    private static readonly Layer Jobs = new("Jobs", 0, ["Toil.Runtime.Jobs"]);
    private static readonly Layer Serialization = new("Serialization", 1, ["Toil.Runtime.Serialization"]);
    private static readonly Layer JobStores = new("JobStores", 2, ["Toil.Runtime.JobStores"]);
    private static readonly Layer Deferred = new("Deferred", 2, ["Toil.Runtime.Deferred"]);

    // The worker's ActivitySource and Meter (docs/telemetry.md): they name jobs, and the file store and worker call them.
    private static readonly Layer Telemetry = new("Telemetry", 2, ["Toil.Runtime.Telemetry"]);
    private static readonly Layer FileStores = new("FileStores", 3, ["Toil.Runtime.FileStores"]);
    private static readonly Layer Authoring = new("Authoring", 4, ["Toil.Runtime.Authoring"]);

    // Sub-folders of Worker/ keep the namespace Toil.Runtime.Worker or a sub-namespace of it: all count as Worker.
    private static readonly Layer Worker = new("Worker", 5, ["Toil.Runtime.Worker"]);

    // The host extensions (AddToilRuntime, AddToilJob, AddToilRealtimeLogging) live in Microsoft's namespaces, as
    // Microsoft.Extensions libraries do; wherever their files are, they are the top floor.
    private static readonly Layer DependencyInjection = new("DependencyInjection", 6, ["Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Logging"]);

    // Apart: used from their floor up, using no other layer. IO serves the job stores and the deferred functions.
    private static readonly Layer IO = new("IO", 2, ["Toil.Runtime.IO"], apart: true);
    private static readonly Layer Logging = new("Logging", 1, ["Toil.Runtime.Logging"], apart: true);
    private static readonly Layer Stats = new("Stats", 1, ["Toil.Runtime.Stats"], apart: true);

    private static readonly Layer[] CoreLayers = [Jobs, Serialization, JobStores, Deferred, Telemetry, FileStores, Authoring, Worker, DependencyInjection, IO, Logging, Stats];

    /// <summary>
    /// Upward uses that remain, as (using type, used type). Each is a debt: the test fails when one disappears, so the
    /// list only shrinks.
    /// </summary>
    private static readonly HashSet<(string From, string To)> KnownExceptions =
    [
        // The process entry (toil worker) builds its own service provider with AddToilRuntime, as a host would: it is
        // host code above DependencyInjection that lives in Worker/ because the Cli and self-hosting workers call it
        // as Toil.Runtime.Worker.ToilWorkerEntryPoint. Moving it up is a namespace change of a public type; it waits for
        // the Worker/ split (the process entry gets its own sub-folder there).
        ("Toil.Runtime.Worker.ToilWorkerEntryPoint", "Microsoft.Extensions.DependencyInjection.ToilRuntimeServiceCollectionExtensions"),
    ];

    private static readonly Lazy<IReadOnlyList<TypeUse>> CoreUses = new(() => TypeUseScanner.Scan(typeof(JobDescription).Assembly.Location));

    [Test]
    public void CoreAssembly_EveryUse_PointsDownTheLayers()
    {
        var violations = Violations(CoreUses.Value, CoreLayers)
            .Where(u => !KnownExceptions.Contains((u.FromType, u.ToType)))
            .Select(Describe);

        // One line per use, all of them: the message is the to-do list.
        string.Join(Environment.NewLine, violations).Should().BeEmpty("a folder may use only the folders below it (docs/architecture.md, \"Inside Toil.Runtime\")");
    }

    [Test]
    public void CoreAssembly_KnownExceptions_StillOccur()
    {
        var found = Violations(CoreUses.Value, CoreLayers).Select(u => (u.FromType, u.ToType)).ToHashSet();

        KnownExceptions.Where(e => !found.Contains(e)).Should().BeEmpty("an exception that no longer occurs is removed from the list");
    }

    [Test]
    public void CoreAssembly_EveryNamespace_BelongsToALayer()
    {
        using var stream = File.OpenRead(typeof(JobDescription).Assembly.Location);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var namespaces = reader.TypeDefinitions
            .Select(h => reader.GetTypeDefinition(h))
            .Where(t => t.GetDeclaringType().IsNil)
            .Select(t => reader.GetString(t.Namespace))
            .Where(ns => ns.StartsWith("Toil.", StringComparison.Ordinal) || ns.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal))
            .Distinct()
            .ToList();

        namespaces.Should().Contain("Toil.Runtime.Jobs", "the scan reads the core assembly");
        namespaces.Where(ns => LayerOf(ns, CoreLayers) is null).Should().BeEmpty("a new folder takes its place in docs/architecture.md and in this test's table");
    }

    [Test]
    public void CoreAssembly_References_NoOtherToilAssembly()
    {
        using var stream = File.OpenRead(typeof(JobDescription).Assembly.Location);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();

        var references = reader.AssemblyReferences.Select(h => reader.GetString(reader.GetAssemblyReference(h).Name)).ToList();

        references.Should().Contain("System.Runtime");
        references.Where(n => n.StartsWith("Toil", StringComparison.Ordinal)).Should().BeEmpty(
            "the leader, Slurm, the executors, the CLI and the testing package stand on the core, never the other way");
    }

    [Test]
    public void ArchitecturePage_Diagram_ListsTheFloorsInTheTestsOrder()
    {
        string page = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "architecture.md"));
        int section = page.IndexOf("## Inside `Toil.Runtime`", StringComparison.Ordinal);
        section.Should().BeGreaterThan(0);
        int start = page.IndexOf("```", section, StringComparison.Ordinal);
        int end = page.IndexOf("```", start + 3, StringComparison.Ordinal);
        string[] lines = page[start..end].Split('\n');

        int LineOf(Layer layer)
        {
            int line = Array.FindIndex(lines, l => l.Contains(layer.Name + "/", StringComparison.Ordinal));
            line.Should().BeGreaterThan(0, $"the diagram shows {layer.Name}/");
            return line;
        }

        var floors = CoreLayers.Where(l => !l.Apart).GroupBy(l => l.Floor).OrderBy(g => g.Key).ToList();
        for (int i = 0; i < floors.Count; i++)
        {
            floors[i].Select(LineOf).Distinct().Should().ContainSingle($"the folders of floor {floors[i].Key} share a line");
            if (i > 0)
            {
                LineOf(floors[i].First()).Should().BeGreaterThan(LineOf(floors[i - 1].First()), $"floor {floors[i].Key} is drawn above floor {floors[i - 1].Key}");
            }
        }

        foreach (var apart in CoreLayers.Where(l => l.Apart))
        {
            LineOf(apart);
        }
    }

    // ---- The checker on a layer pair that breaks the rule on purpose (Fixtures.Low uses Fixtures.High) ----

    private const string FixtureNamespace = "Toil.Runtime.Tests.Architecture.Fixtures";

    private static readonly Layer Low = new("Low", 0, [FixtureNamespace + ".Low"]);
    private static readonly Layer High = new("High", 1, [FixtureNamespace + ".High"]);

    private static readonly Lazy<IReadOnlyList<TypeUse>> FixtureUses = new(() =>
        TypeUseScanner.Scan(typeof(LayeringTests).Assembly.Location).Where(u => u.FromNamespace.StartsWith(FixtureNamespace, StringComparison.Ordinal)).ToList());

    [TestCase("LowBase", "base type")]
    [TestCase("LowInterface", "interface")]
    [TestCase("LowField", "field")]
    [TestCase("LowSignature", "method signature")]
    [TestCase("LowProperty", "property")]
    [TestCase("LowAttribute", "attribute")]
    [TestCase("LowTypeofInAttribute", "attribute")]
    [TestCase("LowBodyCall", "method body")]
    [TestCase("LowBodyField", "method body")]
    [TestCase("LowBodyGenericArgument", "method body")]
    [TestCase("LowBodyTypeof", "method body")]
    [TestCase("LowCatch", "catch")]
    [TestCase("LowLambda", "method body")]
    [TestCase("LowAsync", "method body")]
    [TestCase("LowGenericConstraint`1", "generic constraint")]
    public void Checker_UpwardUse_IsReported(string type, string via)
    {
        var violations = Violations(FixtureUses.Value, [Low, High]);

        violations.Should().Contain(u => u.FromType == $"{FixtureNamespace}.Low.{type}" && u.Via == via && u.ToNamespace == FixtureNamespace + ".High");
    }

    [Test]
    public void Checker_DownwardAndInnerUses_AreNotReported()
    {
        var violations = Violations(FixtureUses.Value, [Low, High]);

        FixtureUses.Value.Should().Contain(u => u.FromType == $"{FixtureNamespace}.High.HighUsesLow" && u.ToType == $"{FixtureNamespace}.Low.LowClean", "the scan sees the downward use");
        violations.Should().NotContain(u => u.FromNamespace == FixtureNamespace + ".High");
        violations.Should().NotContain(u => u.FromType == $"{FixtureNamespace}.Low.LowClean");
    }

    [Test]
    public void Checker_LayersSwapped_ReportsTheOtherDirection()
    {
        var swappedLow = new Layer("Low", 1, [FixtureNamespace + ".Low"]);
        var swappedHigh = new Layer("High", 0, [FixtureNamespace + ".High"]);

        var violations = Violations(FixtureUses.Value, [swappedLow, swappedHigh]);

        violations.Should().Contain(u => u.FromType == $"{FixtureNamespace}.High.HighUsesLow");
        violations.Should().NotContain(u => u.FromNamespace == FixtureNamespace + ".Low");
    }

    [Test]
    public void Layer_Rules_AreThoseOfThePage()
    {
        Worker.MayUse(Jobs).Should().BeTrue();
        Jobs.MayUse(Worker).Should().BeFalse();
        JobStores.MayUse(Serialization).Should().BeTrue();
        Serialization.MayUse(JobStores).Should().BeFalse("the cycle that was broken");
        JobStores.MayUse(Deferred).Should().BeFalse("floor-mates do not stand on each other");
        Deferred.MayUse(JobStores).Should().BeFalse("floor-mates do not stand on each other");
        JobStores.MayUse(IO).Should().BeTrue();
        Serialization.MayUse(IO).Should().BeFalse("IO serves the floor of the job stores and above");
        Stats.MayUse(JobStores).Should().BeFalse("Stats stands apart");
        Logging.MayUse(IO).Should().BeFalse("Logging stands apart");
        FileStores.MayUse(Stats).Should().BeTrue();
        Jobs.MayUse(Logging).Should().BeFalse("Jobs depends on nothing");
        LayerOf("Toil.Runtime.Worker.Chaos", CoreLayers).Should().BeSameAs(Worker, "sub-namespaces count as their folder");
        LayerOf("Toil.Runtime.WorkerX", CoreLayers).Should().BeNull();
    }

    private static List<TypeUse> Violations(IEnumerable<TypeUse> uses, IReadOnlyList<Layer> layers) =>
        uses.Where(u => LayerOf(u.FromNamespace, layers) is { } from && LayerOf(u.ToNamespace, layers) is { } to && !from.MayUse(to)).ToList();

    private static Layer? LayerOf(string ns, IReadOnlyList<Layer> layers) =>
        layers.Select(l => (Layer: l, Length: l.Match(ns))).Where(m => m.Length >= 0).OrderByDescending(m => m.Length).Select(m => m.Layer).FirstOrDefault();

    private static string Describe(TypeUse use) =>
        $"{use} — {LayerOf(use.FromNamespace, CoreLayers)} uses {LayerOf(use.ToNamespace, CoreLayers)}";

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Toil.Runtime.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No Toil.Runtime.sln above {AppContext.BaseDirectory}.");
    }
}
