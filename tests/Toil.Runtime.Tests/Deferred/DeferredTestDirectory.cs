using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Testing;
using Toil.Runtime.Deferred;
using Toil.Runtime.TestHost;

namespace Toil.Runtime.Tests.Deferred;

/// <summary>A temporary coordination directory, a registry whose functions record what ran, and a fake logger.</summary>
public sealed class DeferredTestDirectory : IDisposable
{
    public DeferredTestDirectory()
    {
        Coordination = Path.Combine(Path.GetTempPath(), "toil-deferred-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Coordination);
        Registry = new DeferredFunctionRegistry()
            .Register("note", DeferredTestJson.Default.Note, (n, _) =>
            {
                Ran.Enqueue(n.Text);
                return ValueTask.CompletedTask;
            })
            .Register("fail", DeferredTestJson.Default.Note, (n, _) =>
            {
                Ran.Enqueue("fail:" + n.Text);
                throw new InvalidOperationException("boom " + n.Text);
            })
            .Register(DeferredRegisterAndHangScenario.WriteMarker, DeferredRegisterAndHangScenario.MarkerJsonContext.Default.MarkerArguments, (m, ct) =>
                new ValueTask(File.AppendAllTextAsync(m.Path, "ran-again", ct)))
            .Register(DeferredRegisterAndHangScenario.WriteMarkerThenHang, DeferredRegisterAndHangScenario.MarkerJsonContext.Default.MarkerArguments, (m, ct) =>
                new ValueTask(File.AppendAllTextAsync(m.Path, "ran-again", ct)));
    }

    public string Coordination { get; }

    public string DeferredDirectory => Path.Combine(Coordination, DeferredFunctionManager.DirectoryName);

    public string SetAsideDirectory => Path.Combine(DeferredDirectory, "set-aside");

    public ConcurrentQueue<string> Ran { get; } = new();

    public DeferredFunctionRegistry Registry { get; }

    public FakeLogger Logger { get; } = new();

    public DeferredFunctionManagerOptions Options(TimeSpan? functionTimeout = null, TimeProvider? time = null) => new()
    {
        CoordinationDirectory = Coordination,
        FunctionTimeout = functionTimeout ?? TimeSpan.FromMinutes(1),
        TimeProvider = time ?? TimeProvider.System,
    };

    public ValueTask<DeferredFunctionManager> OpenAsync(DeferredFunctionManagerOptions? options = null)
        => DeferredFunctionManager.OpenAsync(options ?? Options(), Registry, Logger);

    /// <summary>Writes the files a worker that died would leave: a free lock file and a state file.</summary>
    public string WriteDeadWorker(string stateJson, string? workerId = null)
    {
        workerId ??= Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(DeferredDirectory);
        File.WriteAllBytes(Path.Combine(DeferredDirectory, workerId + ".lock"), []);
        File.WriteAllText(Path.Combine(DeferredDirectory, workerId + ".json"), stateJson.Replace("WORKER", workerId, StringComparison.Ordinal));
        return workerId;
    }

    public string[] TopLevelFiles() => Directory.Exists(DeferredDirectory)
        ? [.. Directory.GetFiles(DeferredDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal)!]
        : [];

    public void Dispose()
    {
        try
        {
            Directory.Delete(Coordination, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
