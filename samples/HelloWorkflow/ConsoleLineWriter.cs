using System.Text;
using Spectre.Console;
using Spectre.Console.Rendering;

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
                console.Write(new ClearedLine(_line.ToString().TrimEnd('\r')));
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
            console.Write(new ClearedLine(_line.Append(value).ToString()));
            _line.Clear();
        }
    }

    /// <summary>A line that first erases what the live display drew below the cursor, so no tail of it stays beside a shorter line.</summary>
    private sealed class ClearedLine(string text) : IRenderable
    {
        private readonly Text _text = new(text);

        public Measurement Measure(RenderOptions options, int maxWidth) => ((IRenderable)_text).Measure(options, maxWidth);

        public IEnumerable<Segment> Render(RenderOptions options, int maxWidth) =>
            ((IRenderable)_text).Render(options, maxWidth).Prepend(Segment.Control("\u001b[0J")).Append(Segment.LineBreak);
    }
}
