using System.CommandLine;
using Toil.Runtime.Cli;

namespace Toil.Runtime.Operate.Tests.Cli;

/// <summary>Runs the <c>toil</c> command in-process and captures what it printed.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal static class Toil
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = await Program.CreateRoot().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error })
            .WaitAsync(TimeSpan.FromSeconds(60));
        return (code, output.ToString(), error.ToString());
    }
}
