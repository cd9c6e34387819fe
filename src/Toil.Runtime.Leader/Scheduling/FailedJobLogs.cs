using System.Text;
using Toil.Runtime.Jobs;
using Toil.Runtime.Logging;

namespace Toil.Runtime.Leader.Scheduling;

/// <summary>Shows a failed attempt's stored worker log the way Toil's leader does, and writes it to a directory.</summary>
internal static class FailedJobLogs
{
    /// <summary>
    /// Frames a log: <c>Log from job "ID" follows:</c>, <c>=========&gt;</c>, each line tab-prefixed, <c>&lt;=========</c>.
    /// The log is job-chosen text, so it is escaped first (control characters shown, continuation lines marked).
    /// </summary>
    public static string Frame(string jobStoreId, string log)
    {
        var text = new StringBuilder();
        text.Append("Log from job \"").Append(TerminalText.EscapeLine(jobStoreId)).Append("\" follows:\n=========>\n");
        foreach (string line in log.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }

            text.Append('\t').Append(TerminalText.EscapeLine(line.TrimEnd('\r'))).Append('\n');
        }

        return text.Append("<=========").ToString();
    }

    /// <summary>Writes <paramref name="log"/> as <c>failed_&lt;name&gt;_NNN.log</c> for the first name of the chain (Toil's file naming).</summary>
    /// <returns>The path written.</returns>
    public static string Write(string directory, IReadOnlyList<JobNames> chain, string log)
    {
        Directory.CreateDirectory(directory);
        string name = chain.Count > 0 ? chain[0].JobName : "job";
        string stem = "failed_" + EscapeFileName(name);
        for (int n = 0; ; n++)
        {
            string path = Path.Combine(directory, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{stem}_{n:000}.log"));
            if (path.Length > 255)
            {
                path = Path.Combine(directory, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"failed_{n:000}.log"));
            }

            try
            {
                using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
                stream.Write(Encoding.UTF8.GetBytes(log));
                return path;
            }
            catch (IOException) when (File.Exists(path))
            {
                // Taken: the next number.
            }
        }
    }

    /// <summary>Toil's escaping of names in log file names: "-" → "--", "/" → "-", space → "_", quotes removed.</summary>
    internal static string EscapeFileName(string name)
    {
        var text = new StringBuilder(name.Length);
        foreach (char c in name)
        {
            switch (c)
            {
                case '-': text.Append("--"); break;
                case '/': text.Append('-'); break;
                case ' ': text.Append('_'); break;
                case '"' or '\'': break;
                default: text.Append(char.IsControl(c) || c == '\\' || c == ':' ? '_' : c); break;
            }
        }

        return text.Length == 0 ? "job" : text.ToString();
    }
}
