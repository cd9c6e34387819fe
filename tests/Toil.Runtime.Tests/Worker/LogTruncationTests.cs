using System.Text;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Worker;

/// <summary>docs/decisions.md#log-truncation: last N bytes, first |N| bytes, or all; cuts on UTF-8 boundaries .</summary>
[TestFixture]
public sealed class LogTruncationTests
{
    private static readonly byte[] TwentyFive = Encoding.ASCII.GetBytes("0123456789abcdefghijklmno");

    [Test]
    public void Truncate_PositiveLimitOn25Bytes_KeepsTheLast10()
    {
        Encoding.ASCII.GetString(LogTruncation.Truncate(TwentyFive, 10)).Should().Be("fghijklmno");
    }

    [Test]
    public void Truncate_ZeroLimit_KeepsAll25()
    {
        LogTruncation.Truncate(TwentyFive, 0).Length.Should().Be(25);
    }

    [Test]
    public void Truncate_NegativeLimit_KeepsTheFirst10()
    {
        Encoding.ASCII.GetString(LogTruncation.Truncate(TwentyFive, -10)).Should().Be("0123456789");
    }

    [TestCase(25)]
    [TestCase(100)]
    [TestCase(-25)]
    [TestCase(-100)]
    public void Truncate_LimitAtLeastTheSize_KeepsAll(long limit)
    {
        LogTruncation.Truncate(TwentyFive, limit).ToArray().Should().Equal(TwentyFive);
    }

    [Test]
    public void Truncate_TailCutInsideACharacter_DropsThePartialCharacter()
    {
        // "é" is C3 A9 and "€" is E2 82 AC: keeping the last 4 bytes of "aé€" would start at A9.
        byte[] log = Encoding.UTF8.GetBytes("aé€");
        var kept = LogTruncation.Truncate(log, 4);
        Encoding.UTF8.GetString(kept).Should().Be("€");
        kept.Length.Should().Be(3);
    }

    [Test]
    public void Truncate_HeadCutInsideACharacter_DropsThePartialCharacter()
    {
        byte[] log = Encoding.UTF8.GetBytes("a€b");
        var kept = LogTruncation.Truncate(log, -3);
        Encoding.UTF8.GetString(kept).Should().Be("a");
    }

    [Test]
    public void Truncate_HeadCutAfterACompleteCharacter_KeepsIt()
    {
        byte[] log = Encoding.UTF8.GetBytes("a€b");
        Encoding.UTF8.GetString(LogTruncation.Truncate(log, -4)).Should().Be("a€");
    }

    [Test]
    public void Truncate_FourByteCharacterCutEverywhere_NeverYieldsReplacementCharacters()
    {
        byte[] log = Encoding.UTF8.GetBytes("x😀y😀z");
        for (long limit = -log.Length; limit <= log.Length; limit++)
        {
            string text = Encoding.UTF8.GetString(LogTruncation.Truncate(log, limit));
            text.Should().NotContain("\uFFFD", $"limit {limit}");
        }
    }

    [Test]
    public void Truncate_MinValue_Throws()
    {
        var act = () => LogTruncation.Truncate(TwentyFive, long.MinValue).Length;
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [TestCase(10, "fghijklmno")]
    [TestCase(-10, "0123456789")]
    [TestCase(0, "0123456789abcdefghijklmno")]
    public async Task ReadTruncatedAsync_File_ReadsOnlyTheKeptPart(long limit, string expected)
    {
        string path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, TwentyFive);
            Encoding.ASCII.GetString(await LogTruncation.ReadTruncatedAsync(path, limit)).Should().Be(expected);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task ReadTruncatedAsync_TailCutInsideACharacter_DropsThePartialCharacter()
    {
        string path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, Encoding.UTF8.GetBytes("aé€"));
            Encoding.UTF8.GetString(await LogTruncation.ReadTruncatedAsync(path, 4)).Should().Be("€");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task ReadTruncatedAsync_MissingFile_ReturnsEmpty()
    {
        (await LogTruncation.ReadTruncatedAsync(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N")), 10)).Should().BeEmpty();
    }
}
