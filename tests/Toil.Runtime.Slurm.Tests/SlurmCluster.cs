using System.Diagnostics;

namespace Toil.Runtime.Slurm.Tests;

/// <summary>Whether the local Slurm cluster of <c>scripts/slurm-local.sh</c> is up; integration tests skip when it is not.</summary>
internal static class SlurmCluster
{
    public const string NotRunning = "Slurm is not running: start it with `bash scripts/slurm-local.sh start` (as root), see docs/slurm.md";

    private static readonly Lazy<string?> Problem = new(FindProblem);

    /// <summary>Skips the calling test unless a node is up.</summary>
    public static void Require()
    {
        if (Problem.Value is { } problem)
        {
            Assert.Ignore($"{NotRunning} ({problem})");
        }
    }

    /// <summary>Runs a Slurm command (bounded) and returns its standard output.</summary>
    public static async Task<string> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(cts.Token);
        _ = await stderr;
        return await stdout;
    }

    private static string? FindProblem()
    {
        try
        {
            string states = RunAsync("sinfo", "-h", "-N", "-o", "%T").GetAwaiter().GetResult();
            return states.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Any(s => s.StartsWith("idle", StringComparison.Ordinal) || s.StartsWith("mixed", StringComparison.Ordinal) || s.StartsWith("alloc", StringComparison.Ordinal))
                ? null
                : $"no node is up: sinfo says '{states.Trim()}'";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"sinfo cannot run: {e.Message}";
        }
        catch (OperationCanceledException)
        {
            return "sinfo did not answer within 30 s";
        }
    }
}
