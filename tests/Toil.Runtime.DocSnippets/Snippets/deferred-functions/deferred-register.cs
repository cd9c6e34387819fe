// docs/deferred-functions.md: compiled copy of a documentation block (docs/contributing-docs.md).
// begin-snippet: deferred-register
using System.Diagnostics;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Toil.Runtime.Deferred;

public sealed record DeleteFileArgs(string Path);

[JsonSerializable(typeof(DeleteFileArgs))]
internal sealed partial class CleanupJson : JsonSerializerContext;

public sealed class DeleteFile(ILogger<DeleteFile> log) : IDeferredFunction<DeleteFileArgs>
{
    public ValueTask RunAsync(DeleteFileArgs args, CancellationToken ct)
    {
        File.Delete(args.Path);                 // idempotent: may run more than once
        log.LogInformation("deleted {Path}", args.Path);
        return ValueTask.CompletedTask;
    }
}

public static class Cleanups
{
    public static DeferredFunctionRegistry Registry { get; } = new DeferredFunctionRegistry()
        // instance from the service provider given to OpenAsync (a new one per call)
        .Register("delete-file", CleanupJson.Default.DeleteFileArgs, sp => sp.GetRequiredService<DeleteFile>())
        // or a plain delegate
        .Register("stop-helper", CleanupJson.Default.DeleteFileArgs, (a, ct) => StopHelperAsync(a.Path, ct));

    // Stops the helper process whose ID a job wrote into a file; a helper that is already gone is fine.
    private static ValueTask StopHelperAsync(string pidFile, CancellationToken ct)
    {
        if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile), out int pid))
        {
            try
            {
                Process.GetProcessById(pid).Kill(entireProcessTree: true);
            }
            catch (ArgumentException)
            {
            }
        }

        return ValueTask.CompletedTask;
    }
}
// end-snippet
