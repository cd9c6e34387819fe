using System.Text;
using Spectre.Console;

namespace HelloWorkflow;

/// <summary>
/// Writes whole lines through a Spectre console, so that the leader's messages appear above the live progress display
/// instead of tearing it. Lines are plain text (never read as markup).
/// </summary>
/// <param name="console">The console the live display draws on.</param>
public sealed class ConsoleLineWriter(IAnsiConsole console) : TextWriter
{
    private readonly StringBuilder _line = new();
    private readonly Lock _lock = new();

    /// <inheritdoc />
    public override Encoding Encoding => Encoding.UTF8;

    /// <inheritdoc />
    public override void Write(char value)
    {
        lock (_lock)
        {
            if (value == '\n')
            {
                console.WriteLine(_line.ToString().TrimEnd('\r'));
                _line.Clear();
            }
            else
            {
                _line.Append(value);
            }
        }
    }

    /// <inheritdoc />
    public override void WriteLine(string? value)
    {
        lock (_lock)
        {
            console.WriteLine(_line.Append(value).ToString());
            _line.Clear();
        }
    }
}
