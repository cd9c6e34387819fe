using System.Text.Json;
using CsCheck;
using Toil.Runtime.Executors.Mesos;

namespace Toil.Runtime.Fuzz.Targets;

/// <summary>
/// Mesos executor events as the executor reads them: the event, then for LAUNCH and LAUNCH_GROUP each task's view. The
/// executor logs a <see cref="JsonException"/> and skips the event; anything else would end its event loop.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class MesosEventTarget : FuzzTarget<byte[]>
{
    /// <inheritdoc />
    public override string Name => "mesos-event";

    /// <inheritdoc />
    public override string Property => "MesosEvent and MesosTaskInfoView deserialization: a value or JsonException";

    /// <inheritdoc />
    public override long CiIterations => 10000;

    /// <inheritdoc />
    protected override Gen<byte[]> Inputs { get; } = JsonMutation.Documents(ValidDocuments.MesosEvents());

    /// <inheritdoc />
    protected override string Print(byte[] input) => Printing.Bytes(input);

    /// <inheritdoc />
    protected override void Check(byte[] input) => ParseEvent(input);

    /// <summary>What the executor does with one record.</summary>
    internal static void ParseEvent(byte[] record)
    {
        var (ok, ev) = Expect.SuccessOr<JsonException, MesosEvent?>(() => JsonSerializer.Deserialize(record, MesosJsonContext.Default.MesosEvent), "MesosEvent");
        if (!ok || ev is null)
        {
            return;
        }

        List<JsonElement> tasks = [.. ev.LaunchGroupBody?.TaskGroup?.Tasks ?? []];
        if (ev.LaunchBody?.Task is { ValueKind: JsonValueKind.Object } task)
        {
            tasks.Add(task);
        }

        foreach (JsonElement info in tasks)
        {
            Expect.SuccessOr<JsonException, MesosTaskInfoView?>(() => info.Deserialize(MesosJsonContext.Default.MesosTaskInfoView), "MesosTaskInfoView");
        }
    }
}
