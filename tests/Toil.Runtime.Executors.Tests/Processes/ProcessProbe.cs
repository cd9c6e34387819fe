namespace Toil.Runtime.Executors.Tests.Processes;

/// <summary>Conditions on other processes, waited for with a bound.</summary>
internal static class ProcessProbe
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

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
