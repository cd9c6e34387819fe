using System.Diagnostics;

namespace Toil.Runtime.Testing.Processes;

/// <summary>Starts the <c>Toil.Runtime.TestHost</c> program (copied beside the test assembly) as a child process.</summary>
internal static class TestHostProcess
{
    /// <summary>The path of <c>Toil.Runtime.TestHost.dll</c> beside the running test assembly.</summary>
    public static string HostPath => Path.Combine(AppContext.BaseDirectory, "Toil.Runtime.TestHost.dll");

    /// <summary>Creates start information that runs a test-host scenario under the current <c>dotnet</c> host.</summary>
    /// <param name="scenario">The scenario name.</param>
    /// <param name="args">The scenario's arguments.</param>
    /// <returns>Start information with standard output and error redirected.</returns>
    public static ProcessStartInfo StartInfo(string scenario, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var psi = new ProcessStartInfo(Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(HostPath);
        psi.ArgumentList.Add(scenario);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return psi;
    }

    /// <summary>Runs a scenario to completion within <paramref name="timeout"/> and returns its exit code and output.</summary>
    /// <param name="timeout">How long the child may run before it is killed and a <see cref="TimeoutException"/> is thrown.</param>
    /// <param name="scenario">The scenario name.</param>
    /// <param name="args">The scenario's arguments.</param>
    /// <returns>The exit code, standard output and standard error.</returns>
    public static Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(TimeSpan timeout, string scenario, params string[] args) =>
        RunAsync(StartInfo(scenario, args), timeout);

    /// <summary>Runs a process made from <see cref="StartInfo"/> (and adjusted, e.g. its environment) to completion within <paramref name="timeout"/>.</summary>
    /// <param name="startInfo">The start information; standard output and error must be redirected.</param>
    /// <param name="timeout">How long the child may run before it is killed and a <see cref="TimeoutException"/> is thrown.</param>
    /// <returns>The exit code, standard output and standard error.</returns>
    public static async Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(ProcessStartInfo startInfo, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(startInfo);
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start the test host");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"test host '{string.Join(' ', startInfo.ArgumentList)}' did not exit within {timeout}");
        }

        return (process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }
}
