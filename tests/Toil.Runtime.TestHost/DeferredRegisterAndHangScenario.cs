using System.Text.Json.Serialization;
using Toil.Runtime.Deferred;

namespace Toil.Runtime.TestHost;

/// <summary>
/// Opens a deferred-function manager on a coordination directory, defers N "write-marker" calls (each
/// creates the marker file named in its JSON arguments when run), prints <c>READY &lt;workerId&gt;</c>, then
/// waits to be killed. Arguments: <c>coordinationDir markerDir count</c>.
/// </summary>
public sealed partial class DeferredRegisterAndHangScenario : IHostScenario
{
    /// <summary>The registered name of the marker function, shared with the tests.</summary>
    public const string WriteMarker = "write-marker";

    /// <inheritdoc />
    public string Name => "deferred-register-and-hang";

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] args)
    {
        string coordination = args[0];
        string markers = args[1];
        int count = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);

        var registry = new DeferredFunctionRegistry()
            .Register(WriteMarker, MarkerJsonContext.Default.MarkerArguments, static (a, ct) => new ValueTask(File.WriteAllTextAsync(a.Path, "ran", ct)));
        var manager = await DeferredFunctionManager.OpenAsync(new() { CoordinationDirectory = coordination }, registry);
        var scope = await manager.BeginJobAsync();
        for (int i = 0; i < count; i++)
        {
            await scope.DeferAsync(WriteMarker, new MarkerArguments(Path.Combine(markers, $"marker-{i}")));
        }

        Console.WriteLine($"READY {manager.WorkerId}");
        Console.Out.Flush();

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
