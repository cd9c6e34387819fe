using FluentAssertions;
using NUnit.Framework;
using Toil.Runtime.Logging;

namespace Toil.Runtime.Tests.Logging;

[TestFixture]
public sealed class TerminalTextTests
{
    [Test]
    public void Escape_PlainText_ReturnsSameInstance()
    {
        const string text = "job 'count' finished in 12 ms\twith 3 children (ünïcödé ok)";
        TerminalText.Escape(text).Should().BeSameAs(text);
        TerminalText.EscapeLine(text).Should().BeSameAs(text);
    }

    [Test]
    public void Escape_Null_ReturnsEmpty()
    {
        TerminalText.Escape(null).Should().BeEmpty();
        TerminalText.EscapeLine(null).Should().BeEmpty();
    }

    [Test]
    public void Escape_TerminalSequences_ContainNoControlCharacter()
    {
        // Retitle the window, clear the screen, move to column 0: what a hostile datagram sent in the wild.
        string hostile = "done\u001b]0;pwned\u0007\u001b[2J\rINFO toil.leader: all good\u009b31m";

        string escaped = TerminalText.Escape(hostile);

        escaped.Should().Be("done\\x1b]0;pwned\\x07\\x1b[2J\\rINFO toil.leader: all good\\x9b31m");
        escaped.Should().NotContainAny("\u001b", "\u0007", "\r", "\u009b");
    }

    [Test]
    public void Escape_ForgedLine_IsMarkedAsContinuation()
    {
        string escaped = TerminalText.Escape("line one\nINFO toil.leader: fake record\nthird");

        escaped.Split('\n').Should().Equal("line one", "  | INFO toil.leader: fake record", "  | third");
    }

    [Test]
    public void EscapeLine_LineFeed_IsEscaped()
    {
        TerminalText.EscapeLine("a\nb\r\n").Should().Be("a\\nb\\r\\n");
    }

    [TestCase('\u2028', "\\u2028")]
    [TestCase('\u202e', "\\u202e")]
    [TestCase('\u2066', "\\u2066")]
    [TestCase('\u007f', "\\x7f")]
    [TestCase('\0', "\\0")]
    public void Escape_InvisibleOrReorderingCharacter_IsEscaped(char c, string expected)
    {
        TerminalText.Escape("a" + c + "b").Should().Be("a" + expected + "b");
    }

    [Test]
    public void Escape_EveryCharacter_LeavesNoUnsafeCharacter()
    {
        for (int i = 0; i <= char.MaxValue; i++)
        {
            char c = (char)i;
            if (char.IsSurrogate(c))
            {
                continue;
            }

            string escaped = TerminalText.Escape("x" + c + "x");
            foreach (char e in escaped)
            {
                bool controlOrFormat = (e < 0x20 && e is not '\t' and not '\n') || (e >= 0x7f && e <= 0x9f)
                    || e is '\u2028' or '\u2029' || (e >= '\u202a' && e <= '\u202e') || (e >= '\u2066' && e <= '\u2069');
                controlOrFormat.Should().BeFalse($"U+{i:X4} must not pass through unescaped");
            }
        }
    }
}
