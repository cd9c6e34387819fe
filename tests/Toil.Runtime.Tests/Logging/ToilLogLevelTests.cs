using Microsoft.Extensions.Logging;
using Toil.Runtime.Logging;

namespace Toil.Runtime.Tests.Logging;

/// <summary>Toil's <c>set_log_level</c> names, and their mapping onto <see cref="LogLevel"/>.</summary>
public sealed class ToilLogLevelTests
{
    [TestCase("CRITICAL", 50, LogLevel.Critical)]
    [TestCase("FATAL", 50, LogLevel.Critical)]
    [TestCase("OFF", 50, LogLevel.Critical)]
    [TestCase("ERROR", 40, LogLevel.Error)]
    [TestCase("WARNING", 30, LogLevel.Warning)]
    [TestCase("WARN", 30, LogLevel.Warning)]
    [TestCase("INFO", 20, LogLevel.Information)]
    [TestCase("DEBUG", 10, LogLevel.Debug)]
    [TestCase("TRACE", 5, LogLevel.Trace)]
    [TestCase("NOTSET", 0, LogLevel.Trace)]
    public void Parse_AcceptedNameInAnyCase_GivesToilNumberAndLogLevel(string name, int number, LogLevel level)
    {
        string title = name[..1] + name[1..].ToLowerInvariant();
        foreach (string variant in new[] { name, name.ToLowerInvariant(), title })
        {
            ToilLogLevel.Parse(variant).Should().Be(number, variant);
            ToilLogLevel.ParseLogLevel(variant).Should().Be(level, variant);
            ToilLogLevel.TryParse(variant, out int parsed).Should().BeTrue();
            parsed.Should().Be(number);
        }
    }

    [Test]
    public void Parse_MixedCase_IsAccepted()
    {
        ToilLogLevel.Parse("dEbUg").Should().Be(10);
        ToilLogLevel.Parse("oFf").Should().Be(50);
        ToilLogLevel.Parse("Trace").Should().Be(5);
    }

    [TestCase("10", "'10'")]
    [TestCase("", "''")]
    [TestCase("foo", "'FOO'")]
    [TestCase(" info", "' INFO'")]
    [TestCase("info ", "'INFO '")]
    [TestCase("20", "'20'")]
    [TestCase("information", "'INFORMATION'")]
    [TestCase("None", "'NONE'")]
    public void Parse_UnknownName_ThrowsUnknownLogLevelNamingTheUpperCasedValue(string value, string quoted)
    {
        var thrown = FluentActions.Invoking(() => ToilLogLevel.Parse(value)).Should().Throw<UnknownLogLevelException>().Which;
        thrown.Message.Should().StartWith("Unknown level: " + quoted);
        thrown.Value.Should().Be(value);
        ToilLogLevel.TryParse(value, out _).Should().BeFalse();
    }

    [Test]
    public void Parse_Null_ThrowsUnknownLogLevel()
    {
        FluentActions.Invoking(() => ToilLogLevel.Parse(null)).Should().Throw<UnknownLogLevelException>()
            .WithMessage("Unknown level: None*");
    }

    [TestCase(LogLevel.Trace, 5, "TRACE")]
    [TestCase(LogLevel.Debug, 10, "DEBUG")]
    [TestCase(LogLevel.Information, 20, "INFO")]
    [TestCase(LogLevel.Warning, 30, "WARNING")]
    [TestCase(LogLevel.Error, 40, "ERROR")]
    [TestCase(LogLevel.Critical, 50, "CRITICAL")]
    public void FromLogLevel_EveryRecordLevel_RoundTripsThroughToilNumberAndName(LogLevel level, int number, string name)
    {
        ToilLogLevel.FromLogLevel(level).Should().Be(number);
        ToilLogLevel.ToLogLevel(number).Should().Be(level);
        ToilLogLevel.GetName(level).Should().Be(name);
        ToilLogLevel.ParseLogLevel(name).Should().Be(level);
    }

    [Test]
    public void FromLogLevel_None_ThrowsBecauseToilHasNoSuchLevel()
    {
        FluentActions.Invoking(() => ToilLogLevel.FromLogLevel(LogLevel.None)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [TestCase(55, LogLevel.Critical)]
    [TestCase(45, LogLevel.Error)]
    [TestCase(25, LogLevel.Information)]
    [TestCase(15, LogLevel.Debug)]
    [TestCase(9, LogLevel.Trace)]
    [TestCase(0, LogLevel.Trace)]
    [TestCase(-3, LogLevel.Trace)]
    public void ToLogLevel_CustomPythonLevel_GivesNearestNamedLevelBelow(int number, LogLevel expected) =>
        ToilLogLevel.ToLogLevel(number).Should().Be(expected);

    [TestCase(25, "Level 25")]
    [TestCase(0, "NOTSET")]
    [TestCase(5, "TRACE")]
    public void GetName_Number_MatchesPythonGetLevelName(int number, string expected) =>
        ToilLogLevel.GetName(number).Should().Be(expected);
}
