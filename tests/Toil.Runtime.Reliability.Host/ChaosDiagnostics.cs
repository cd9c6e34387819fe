using System.Globalization;
using System.Text;

namespace Toil.Runtime.Reliability.Host;

/// <summary>What the campaign keeps about a leader run that did not end in time: the processes under it and its log.</summary>
public static class ChaosDiagnostics
{
    /// <summary>
    /// The leader and every process below it, one line each (PID, parent, state, the kernel function it waits in, thread
    /// count, command line), read from <c>/proc</c>.
    /// </summary>
    public static string ProcessTree(int leaderPid)
    {
        var parents = new Dictionary<int, int>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && Stat(pid) is { } stat)
            {
                parents[pid] = stat.Parent;
            }
        }

        var text = new StringBuilder();
        var pending = new Queue<int>([leaderPid]);
        while (pending.TryDequeue(out int pid))
        {
            if (Stat(pid) is { } stat)
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"{pid} parent {stat.Parent} state {stat.State} wchan {Read($"/proc/{pid}/wchan")} threads {Directory.EnumerateDirectories($"/proc/{pid}/task").Count()} {Read($"/proc/{pid}/cmdline").Replace('\0', ' ')}");
            }

            foreach (var (child, _) in parents.Where(p => p.Value == pid))
            {
                pending.Enqueue(child);
            }
        }

        return text.ToString();
    }

    /// <summary>Saves what the leader wrote to its standard error (its log), waiting at most 30 s for the pipe to close.</summary>
    public static async Task SaveAsync(Task<string> stderr, string path, CancellationToken cancellationToken)
    {
        try
        {
            await File.WriteAllTextAsync(path, await stderr.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken), cancellationToken);
        }
        catch (TimeoutException)
        {
            await File.WriteAllTextAsync(path, "(the leader's standard error stayed open: a worker it started still holds it)", cancellationToken);
        }
    }

    private static (int Parent, char State)? Stat(int pid)
    {
        string stat = Read($"/proc/{pid}/stat");
        int close = stat.LastIndexOf(')');
        if (close < 0 || close + 2 >= stat.Length)
        {
            return null;
        }

        string[] fields = stat[(close + 2)..].Split(' ');
        return fields.Length > 1 && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int parent) ? (parent, fields[0][0]) : null;
    }

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}
