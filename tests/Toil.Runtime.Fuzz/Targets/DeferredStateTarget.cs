using System.Text;
using System.Text.Json.Serialization;
using CsCheck;
using Microsoft.Extensions.Logging.Abstractions;
using Toil.Runtime.Deferred;

namespace Toil.Runtime.Fuzz.Targets;

/// <summary>
/// A dead worker's deferred-function state file (mutated), recovered by <see cref="DeferredFunctionManager.CleanupAsync"/>
/// in a temp coordination directory: recovery never throws, the state leaves the top level (run, or set aside), and
/// nothing is written beside the coordination directory.
/// </summary>
public sealed class DeferredStateTarget : FuzzTarget<byte[]>
{
    private TempArea? _area;
    private DeferredFunctionRegistry _registry = new();

    /// <inheritdoc />
    public override string Name => "deferred-state";

    /// <inheritdoc />
    public override string Property => "DeferredFunctionManager.CleanupAsync on a dead worker's state: completes, the state is run or set aside, nothing written beside the coordination directory";

    /// <inheritdoc />
    public override long CiIterations => 400;

    /// <inheritdoc />
    protected override int Threads => 1;

    /// <inheritdoc />
    protected override Gen<byte[]> Inputs { get; } = JsonMutation.Documents(ValidDocuments.DeferredStates());

    /// <inheritdoc />
    protected override string Print(byte[] input) => Printing.Bytes(input);

    /// <inheritdoc />
    protected override void Setup()
    {
        _area = new TempArea("coordination");
        Directory.CreateDirectory(_area.Child);
        _registry = new DeferredFunctionRegistry().Register("note", FuzzJson.Default.Note, (_, _) => ValueTask.CompletedTask);
    }

    /// <inheritdoc />
    protected override void Teardown() => _area?.Dispose();

    /// <inheritdoc />
    protected override void Check(byte[] input)
    {
        string workerId = Guid.NewGuid().ToString("N");
        string deferred = Path.Combine(_area!.Child, DeferredFunctionManager.DirectoryName);
        Directory.CreateDirectory(deferred);
        File.WriteAllBytes(Path.Combine(deferred, workerId + ".lock"), []);
        File.WriteAllBytes(Path.Combine(deferred, workerId + ".json"), Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(input).Replace("WORKER", workerId, StringComparison.Ordinal)));

        var options = new DeferredFunctionManagerOptions { CoordinationDirectory = _area.Child, FunctionTimeout = TimeSpan.FromSeconds(5) };
        Expect.SuccessOrAsync<NeverThrown, DeferredFunctionRunResult>(
            async () => await DeferredFunctionManager.CleanupAsync(options, _registry, NullLogger.Instance).ConfigureAwait(false),
            "CleanupAsync").GetAwaiter().GetResult();

        Expect.That(!File.Exists(Path.Combine(deferred, workerId + ".json")) && !File.Exists(Path.Combine(deferred, workerId + ".lock")), "the dead worker's files are still at the top level");
        _area.AssertNothingBeside();
        string[] outside = [.. Directory.EnumerateFileSystemEntries(_area.Child).Where(e => Path.GetFileName(e) != DeferredFunctionManager.DirectoryName)];
        Expect.That(outside.Length == 0, $"written in the coordination directory outside deferred/: {string.Join(", ", outside)}");
    }
}

/// <summary>The arguments of the fuzz registry's function.</summary>
/// <param name="Text">Any text.</param>
public sealed record Note(string Text);

/// <summary>Source-generated JSON for <see cref="Note"/>.</summary>
[JsonSerializable(typeof(Note))]
internal sealed partial class FuzzJson : JsonSerializerContext;
