using Toil.Runtime.Fuzz.Targets;

namespace Toil.Runtime.Fuzz;

/// <summary>Every fuzz target, in the order the command runs them.</summary>
public static class FuzzTargets
{
    /// <summary>Creates a fresh instance of every target (targets with a temp store hold state while they run).</summary>
    public static IReadOnlyList<FuzzTarget> Create()
    {
        List<FuzzTarget> targets =
        [
            new JobRecordTarget(),
            new JobRecordStoreTarget(),
            new WorkflowConfigTarget(),
            new StatsTarget(),
            new DeferredStateTarget(),
            new DatagramTarget(),
            new StoreNameTarget(),
            new DataSizeTarget(),
            new LogLevelTarget(),
            new WorkerArgumentsTarget(),
        ];
        if (!OperatingSystem.IsWindows())
        {
            // The executors are Unix programs.
            targets.AddRange([new ContainedPayloadTarget(), new MesosEventTarget(), new RecordIoTarget()]);
        }

        return targets;
    }

    /// <summary>The target named <paramref name="name"/>.</summary>
    public static FuzzTarget Get(string name) =>
        Create().FirstOrDefault(t => t.Name == name) ?? throw new ArgumentException($"no fuzz target '{name}'", nameof(name));
}
