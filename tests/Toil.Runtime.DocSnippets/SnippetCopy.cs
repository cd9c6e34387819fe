namespace Toil.Runtime.DocSnippets;

/// <summary>
/// A compiled copy of a documentation block in a .cs file under Snippets/: the lines between
/// <c>// begin-snippet: NAME</c> and <c>// end-snippet</c>. A statement block that starts with using directives is
/// split by <c>// snippet-context</c> (ends the block's head: its leading comments and using directives, which stay
/// at the top of the file) and
/// <c>// snippet-body</c> (starts the statements, inside a method of the copy); the lines between the two markers are
/// the copy's scaffolding and not part of the block.
/// </summary>
public sealed class SnippetCopy
{
    public const string Begin = "// begin-snippet: ";
    public const string Context = "// snippet-context";
    public const string Body = "// snippet-body";
    public const string End = "// end-snippet";

    private SnippetCopy(string path, string name, int begin, int? context, int? body, int end)
    {
        Path = path;
        Name = name;
        BeginLine = begin;
        ContextLine = context;
        BodyLine = body;
        EndLine = end;
    }

    public string Path { get; }

    public string Name { get; }

    /// <summary>0-based line indexes of the markers in the file.</summary>
    public int BeginLine { get; }

    public int? ContextLine { get; }

    public int? BodyLine { get; }

    public int EndLine { get; }

    /// <summary>Finds every copy in the .cs files under <paramref name="directory"/>.</summary>
    public static IReadOnlyList<SnippetCopy> FindAll(string directory)
    {
        List<SnippetCopy> copies = [];
        foreach (string file in Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                string trimmed = lines[i].Trim();
                if (!trimmed.StartsWith(Begin, StringComparison.Ordinal))
                {
                    continue;
                }

                string name = trimmed[Begin.Length..].Trim();
                int? context = null, body = null;
                int end = -1;
                for (int j = i + 1; j < lines.Length; j++)
                {
                    string t = lines[j].Trim();
                    if (t == Context)
                    {
                        context = j;
                    }
                    else if (t == Body)
                    {
                        body = j;
                    }
                    else if (t == End)
                    {
                        end = j;
                        break;
                    }
                    else if (t.StartsWith(Begin, StringComparison.Ordinal))
                    {
                        break;
                    }
                }

                if (end < 0 || (context is null) != (body is null))
                {
                    throw new InvalidDataException($"{file}:{i + 1}: snippet '{name}' needs '{End}' (and '{Context}' with '{Body}', or neither).");
                }

                copies.Add(new SnippetCopy(file, name, i, context, body, end));
                i = end;
            }
        }

        return copies;
    }

    /// <summary>The block as the documentation must show it.</summary>
    public IReadOnlyList<string> ReadBlock()
    {
        string[] lines = File.ReadAllLines(Path);
        return ContextLine is { } context && BodyLine is { } body
            ? [.. lines[(BeginLine + 1)..context], .. Dedent(lines[(body + 1)..EndLine])]
            : Dedent(lines[(BeginLine + 1)..EndLine]);
    }

    /// <summary>Replaces the copy with <paramref name="block"/> (the documentation's text).</summary>
    public void Write(IReadOnlyList<string> block)
    {
        List<string> lines = [.. File.ReadAllLines(Path)];
        if (ContextLine is { } context && BodyLine is { } body)
        {
            int split = block.TakeWhile(IsHeaderLine).Count();
            string indent = Indent(lines[body]);
            lines.RemoveRange(body + 1, EndLine - body - 1);
            lines.InsertRange(body + 1, block.Skip(split).Select(l => l.Length == 0 ? l : indent + l));
            lines.RemoveRange(BeginLine + 1, context - BeginLine - 1);
            lines.InsertRange(BeginLine + 1, block.Take(split));
        }
        else
        {
            string indent = Indent(lines[BeginLine]);
            lines.RemoveRange(BeginLine + 1, EndLine - BeginLine - 1);
            lines.InsertRange(BeginLine + 1, block.Select(l => l.Length == 0 ? l : indent + l));
        }

        File.WriteAllLines(Path, lines);
    }

    /// <summary>Writes a new copy file that holds <paramref name="block"/> whole (a block that is a complete file).</summary>
    public static string Create(string directory, string page, string name, IReadOnlyList<string> block)
    {
        string folder = System.IO.Path.Combine(directory, System.IO.Path.GetFileNameWithoutExtension(page));
        Directory.CreateDirectory(folder);
        string path = System.IO.Path.Combine(folder, name + ".cs");
        File.WriteAllLines(path, [$"// {page}: compiled copy of a documentation block (docs/contributing-docs.md).", Begin + name, .. block, End]);
        return path;
    }

    /// <summary>A line of a statement block's head, which goes above <see cref="Context"/>: blank, a comment or a using directive.</summary>
    private static bool IsHeaderLine(string line) =>
        line.Trim().Length == 0 || line.StartsWith("//", StringComparison.Ordinal) || line.StartsWith("using ", StringComparison.Ordinal);

    private static string Indent(string line) => line[..(line.Length - line.TrimStart().Length)];

    private static List<string> Dedent(string[] lines)
    {
        int indent = lines.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return [.. lines.Select(l => l.Trim().Length == 0 ? string.Empty : l[indent..])];
    }
}
