using Toil.Runtime.Executors.Processes;

namespace Toil.Runtime.Executors.Tests.Processes;

/// <summary>Conditions on other processes, waited for with a bound.</summary>
internal static class ProcessProbe
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Skips a test that sends SIGINT to a child when this process ignores SIGINT: an ignored signal stays ignored across
    /// exec, and the .NET runtime then installs no SIGINT handler in the child (a shell's background job, e.g.
    /// <c>dotnet test &amp;</c>, starts with SIGINT and SIGQUIT ignored). Run such tests in the foreground.
    /// </summary>
    public static void SkipIfSigintIgnored()
    {
        string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        if (line is not null
            && ulong.TryParse(line["SigIgn:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out ulong ignored)
            && (ignored & (1UL << (UnixSignal.Interrupt - 1))) != 0)
        {
            Assert.Ignore("this test process ignores SIGINT (it was started as a background job), so its children do too: run the tests in the foreground");
        }
    }

    /// <summary>Whether <paramref name="pid"/> is a live (non-zombie) process.</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            // The state follows the parenthesised command name, which may itself contain ')'.
            char state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state != 'Z' && state != 'X';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>The process group of <paramref name="pid"/> read from /proc.</summary>
    public static int ProcessGroupOf(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <see cref="Bound"/> passes.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out after {Bound} waiting until {what}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Waits for a file with a pid in it (written by a shell) and returns the pid.</summary>
    public static async Task<int> ReadPidFileAsync(string path)
    {
        int pid = 0;
        await WaitUntilAsync(
            () => File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), out pid),
            $"{path} holds a pid");
        return pid;
    }
}
