using System.CommandLine;

namespace Toil.Runtime.Cli;

/// <summary>
/// Busybox-style dispatch: invoked as <c>toil-&lt;command&gt;</c> (a symlink to the <c>toil</c> apphost, made by <c>toil install-aliases</c>),
/// the program behaves as <c>toil &lt;command&gt;</c>, so Toil's program names <c>toil-worker</c>,
/// <c>toil-contained-executor</c> and <c>toil-mesos-executor</c> work.
/// </summary>
internal static class EntryPointAlias
{
    private const string Prefix = "toil-";

    /// <summary>The sub-commands that have a <c>toil-&lt;name&gt;</c> program name.</summary>
    public static readonly IReadOnlyList<string> Commands = [ContainedExecutorCommand.Name, MesosExecutorCommand.Name, WorkerCommand.Name];

    /// <summary>
    /// Makes a <c>toil-&lt;command&gt;</c> symbolic link to <paramref name="program"/> in <paramref name="directory"/> for
    /// each of <see cref="Commands"/>. A link that already points there is kept; another file of that name is replaced
    /// only when <paramref name="force"/> is set, otherwise an <see cref="IOException"/> names it and nothing after it
    /// is made.
    /// </summary>
    /// <param name="directory">Where the links go; created if missing.</param>
    /// <param name="program">The <c>toil</c> program the links point to (an absolute path).</param>
    /// <param name="force">Whether to replace existing files.</param>
    /// <returns>The paths of the links.</returns>
    public static IReadOnlyList<string> Install(string directory, string program, bool force)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentException.ThrowIfNullOrEmpty(program);
        if (!File.Exists(program))
        {
            throw new FileNotFoundException($"The program '{program}' does not exist.", program);
        }

        Directory.CreateDirectory(directory);
        List<string> links = [];
        foreach (string command in Commands)
        {
            string link = Path.Combine(directory, Prefix + command);
            var existing = new FileInfo(link);
            if (existing.LinkTarget is { } target && string.Equals(Path.GetFullPath(target, directory), program, StringComparison.Ordinal))
            {
                links.Add(link);
                continue;
            }

            if (existing.Exists || existing.LinkTarget is not null)
            {
                if (!force)
                {
                    throw new IOException($"'{link}' already exists; use --force to replace it.");
                }

                existing.Delete();
            }

            File.CreateSymbolicLink(link, program);
            links.Add(link);
        }

        return links;
    }

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
