using System.Text.Json.Serialization;
using Toil.Runtime.Deferred;

namespace Toil.Runtime.TestHost;

/// <summary>
/// Opens a deferred-function manager on a coordination directory, defers N "write-marker" calls (each
/// creates the marker file named in its JSON arguments when run), prints <c>READY &lt;workerId&gt;</c>, then
/// waits to be killed. Arguments: <c>coordinationDir markerDir count [hang-during-run]</c>. With
/// <c>hang-during-run</c> it instead runs the job's functions, where the last one (<see cref="WriteMarkerThenHang"/>)
/// writes its marker, prints <c>HANGING</c> and blocks, so the worker dies in the middle of its own run.
/// </summary>
public sealed partial class DeferredRegisterAndHangScenario : IHostScenario
{
    /// <summary>The registered name of the marker function, shared with the tests.</summary>
    public const string WriteMarker = "write-marker";

    /// <summary>The registered name of a function that writes its marker and then never returns (in this process).</summary>
    public const string WriteMarkerThenHang = "write-marker-then-hang";

    /// <inheritdoc />
    public string Name => "deferred-register-and-hang";

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] args)
    {
        string coordination = args[0];
        string markers = args[1];
        int count = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);

        bool hangDuringRun = args.Length > 3 && args[3] == "hang-during-run";

        var registry = new DeferredFunctionRegistry()
            .Register(WriteMarker, MarkerJsonContext.Default.MarkerArguments, static (a, ct) => new ValueTask(File.WriteAllTextAsync(a.Path, "ran", ct)))
            .Register(WriteMarkerThenHang, MarkerJsonContext.Default.MarkerArguments, static async (a, ct) =>
            {
                await File.WriteAllTextAsync(a.Path, "ran", ct);
                Console.WriteLine("HANGING");
                Console.Out.Flush();
                await Task.Delay(TimeSpan.FromMinutes(2), ct);
            });
        var manager = await DeferredFunctionManager.OpenAsync(new() { CoordinationDirectory = coordination }, registry);
        var scope = await manager.BeginJobAsync();
        for (int i = 0; i < count; i++)
        {
            string name = hangDuringRun && i == count - 1 ? WriteMarkerThenHang : WriteMarker;
            await scope.DeferAsync(name, new MarkerArguments(Path.Combine(markers, $"marker-{i}")));
        }

        Console.WriteLine($"READY {manager.WorkerId}");
        Console.Out.Flush();
        if (hangDuringRun)
        {
            await scope.RunAsync();
        }

        // Bounded: the test kills us long before this; if it does not, exiting leaves the state as an orphan anyway.
        await Task.Delay(TimeSpan.FromMinutes(2));
        return 3;
    }

    /// <summary>The arguments of <see cref="WriteMarker"/>.</summary>
    /// <param name="Path">The marker file to create.</param>
    public sealed record MarkerArguments(string Path);

    /// <summary>Source-generated JSON for <see cref="MarkerArguments"/>.</summary>
    [JsonSerializable(typeof(MarkerArguments))]
    public sealed partial class MarkerJsonContext : JsonSerializerContext
    {
    }
}
