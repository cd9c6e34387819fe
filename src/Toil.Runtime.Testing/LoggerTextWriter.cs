using System.Text;
using Microsoft.Extensions.Logging;

namespace Toil.Runtime.Testing;

/// <summary>Receives the output of child processes a job starts, line by line, into its recorded worker log.</summary>
internal sealed class LoggerTextWriter(ILogger logger) : TextWriter
{
    private readonly StringBuilder _line = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_line)
        {
            if (value == '\n')
            {
                Flush(_line);
            }
            else if (value != '\r')
            {
                _line.Append(value);
            }
        }
    }

    public override void WriteLine(string? value)
    {
        lock (_line)
        {
            _line.Append(value);
            Flush(_line);
        }
    }

    protected override void Dispose(bool disposing)
    {
        lock (_line)
        {
            if (_line.Length > 0)
            {
                Flush(_line);
            }
        }

        base.Dispose(disposing);
    }

    private void Flush(StringBuilder line)
    {
        string text = line.ToString();
        line.Clear();
#pragma warning disable CA1848, CA2254 // a child's output line is the message itself
        logger.LogInformation(text);
#pragma warning restore CA1848, CA2254
    }
}
