using System.Text.Json;
using Toil.Runtime.Logging;

namespace Toil.Runtime.Tests.Logging;

/// <summary>
/// A Python sender's <c>msg % args</c> rendered as Python renders it. Every expected value
/// below was produced by CPython 3 (<c>fmt % tuple(args)</c>, or <c>fmt % mapping</c>) from the same JSON.
/// </summary>
public sealed class PythonPercentFormatterTests
{
    public static IEnumerable<TestCaseData> PythonCases() =>
    [
        new TestCaseData("a %s %d", "[\"x\", 3]").Returns("a x 3"),
        new TestCaseData("%s", "[[1, 2]]").Returns("[1, 2]"),
        new TestCaseData("%s", "[[\"a\", [1, null, true, false, 1.5]]]").Returns("['a', [1, None, True, False, 1.5]]"),
        new TestCaseData("%r %r", "[\"it's\", \"say \\\"hi\\\"\"]").Returns("\"it's\" 'say \"hi\"'"),
        new TestCaseData("%r", "[\"both ' and \\\"\"]").Returns("'both \\' and \"'"),
        new TestCaseData("%r", "[\"tab\\tnl\\nuni ✓ naïve \\u0001\"]").Returns("'tab\\tnl\\nuni ✓ naïve \\x01'"),
        new TestCaseData("%a", "[\"naïve ✓\"]").Returns("'na\\xefve \\u2713'"),
        new TestCaseData("%(k)s and %(n)d", "{\"k\": \"v\", \"n\": 7}").Returns("v and 7"),
        new TestCaseData("%s", "{\"k\": \"v\", \"n\": [1, \"two\"]}").Returns("{'k': 'v', 'n': [1, 'two']}"),
        new TestCaseData("100%% done %s", "[\"now\"]").Returns("100% done now"),
        new TestCaseData("%d %i %d %d", "[3.7, -2.5, true, 12345678901234567890]").Returns("3 -2 1 12345678901234567890"),
        new TestCaseData("%f %f %.2f %F", "[3, 1.5, 2.675, 1e+20]").Returns("3.000000 1.500000 2.67 100000000000000000000.000000"),
        new TestCaseData("%5s|%-5s|%05d|%+d|% d|%.3d", "[\"ab\", \"cd\", 42, 5, 5, 7]").Returns("   ab|cd   |00042|+5| 5|007"),
        new TestCaseData("%x %X %#x %o %#o", "[255, 255, 255, 8, 8]").Returns("ff FF 0xff 10 0o10"),
        new TestCaseData("%e %E %.2e", "[12345.678, 0.000123, 1.0]").Returns("1.234568e+04 1.230000E-04 1.00e+00"),
        new TestCaseData("%g %g %g %g %G %#g", "[100000, 1000000, 0.0001, 1e-05, 1e-10, 1.5]").Returns("100000 1e+06 0.0001 1e-05 1E-10 1.50000"),
        new TestCaseData("%c%c", "[65, \"z\"]").Returns("Az"),
        new TestCaseData("%s %s %s %s %s %s", "[1e+16, 1000000000000000.0, 0.0001, 1e-05, 0.1, 1795547040.5914798]").Returns("1e+16 1000000000000000.0 0.0001 1e-05 0.1 1795547040.5914798"),
        new TestCaseData("%s %s", "[-0.0, 123456789.125]").Returns("-0.0 123456789.125"),
        new TestCaseData("%.3s", "[\"abcdef\"]").Returns("abc"),
        new TestCaseData("%*d|%-*d|%.*f", "[5, 42, 4, 7, 2, 3.14159]").Returns("   42|7   |3.14"),
        new TestCaseData("%s", "[null]").Returns("None"),
        new TestCaseData("%s", "[{}]").Returns("{}"),
        new TestCaseData("%s %s", "[1e+300, 2.5e-300]").Returns("1e+300 2.5e-300"),
        new TestCaseData("no args %s", "[]").Returns("no args %s"),
        new TestCaseData("no args %s", "{}").Returns("no args %s")
    ];

    [TestCaseSource(nameof(PythonCases))]
    public string Format_AsCPython_RendersTheSame(string format, string argsJson) =>
        PythonPercentFormatter.Format(format, JsonDocument.Parse(argsJson).RootElement.Clone());

    [Test]
    public void Format_NoArgs_LeavesPercentSignsAlone() =>
        PythonPercentFormatter.Format("50% of %s", null).Should().Be("50% of %s");

    [TestCase("%s %s", "[1]", "not enough arguments")]
    [TestCase("%s", "[1, 2]", "not all arguments converted")]
    [TestCase("%(k)s", "[1]", "format requires a mapping")]
    [TestCase("%(missing)s", "{\"k\": 1}", "KeyError")]
    [TestCase("%d", "[\"x\"]", "%d format: a real number is required, not str")]
    [TestCase("%x", "[1.5]", "%x format: an integer is required, not float")]
    [TestCase("%f", "[\"x\"]", "must be real number, not str")]
    [TestCase("%y", "[1]", "unsupported format character 'y'")]
    [TestCase("trailing %", "[1]", "incomplete format")]
    public void Format_WhatPythonRejects_ThrowsFormatException(string format, string argsJson, string reason) =>
        FluentActions.Invoking(() => PythonPercentFormatter.Format(format, JsonDocument.Parse(argsJson).RootElement.Clone()))
            .Should().Throw<FormatException>().WithMessage($"*{reason}*");
}
