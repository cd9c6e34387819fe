using System.CommandLine;

namespace Toil.Runtime.Cli;

/// <summary>
/// Busybox-style dispatch: invoked as <c>toil-&lt;command&gt;</c> (a copy or symlink of the <c>toil</c> apphost),
/// the program behaves as <c>toil &lt;command&gt;</c>, so DESIGN's program names <c>toil-worker</c>,
/// <c>toil-contained-executor</c> and <c>toil-mesos-executor</c> work.
/// </summary>
internal static class EntryPointAlias
{
    private const string Prefix = "toil-";

    /// <summary>Prepends the sub-command named by the invoked program name, if it names one.</summary>
    public static string[] Apply(RootCommand root, string[] args, IEnumerable<string?> invokedNames)
    {
        foreach (string? invoked in invokedNames)
        {
            if (invoked is null)
            {
                continue;
            }

            string name = Path.GetFileNameWithoutExtension(invoked);
            if (name.StartsWith(Prefix, StringComparison.Ordinal)
                && root.Subcommands.Any(c => string.Equals(c.Name, name[Prefix.Length..], StringComparison.Ordinal)))
            {
                return [name[Prefix.Length..], .. args];
            }
        }

        return args;
    }

    /// <summary>The names this process may have been invoked by: its executable (a copy of the apphost) and, on Linux,
    /// the raw <c>argv[0]</c> (a symlink resolves to <c>toil</c> in <see cref="Environment.ProcessPath"/>).</summary>
    public static IEnumerable<string?> InvokedNames()
    {
        yield return Environment.ProcessPath;
        yield return RawArgumentZero();
    }

    private static string? RawArgumentZero()
    {
        try
        {
            byte[] cmdline = File.ReadAllBytes("/proc/self/cmdline");
            int end = Array.IndexOf(cmdline, (byte)0);
            return System.Text.Encoding.UTF8.GetString(cmdline, 0, end < 0 ? cmdline.Length : end);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
