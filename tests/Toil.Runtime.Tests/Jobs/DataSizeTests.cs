using Toil.Runtime.Jobs;

namespace Toil.Runtime.Tests.Jobs;

public sealed class DataSizeTests
{
    [TestCase("2Gi", 2147483648L)]
    [TestCase("100M", 100000000L)]
    [TestCase("3000000000", 3000000000L)]
    [TestCase("1Gi", 1073741824L)]
    [TestCase("1G", 1000000000L)]
    [TestCase("1gib", 1073741824L)]
    [TestCase("1GB", 1000000000L)]
    [TestCase("512Ki", 524288L)]
    [TestCase("5K", 5000L)]
    [TestCase("1.5Gi", 1610612736L)]
    [TestCase(".5K", 500L)]
    [TestCase(" 2 Mi ", 2097152L)]
    [TestCase("7b", 7L)]
    [TestCase("0", 0L)]
    [TestCase("1Ti", 1099511627776L)]
    [TestCase("1Pi", 1125899906842624L)]
    [TestCase("7Ei", 8070450532247928832L)]
    public void Parse_HumanReadable_GivesExactBytes(string text, long expected)
    {
        DataSize.Parse(text).Should().Be(expected);
        ((DataSize)text).Bytes.Should().Be(expected);
        DataSize.FromString(text).Bytes.Should().Be(expected);
        DataSize.TryParse(text, out long bytes).Should().BeTrue();
        bytes.Should().Be(expected);
    }

    [Test]
    public void ImplicitConversion_WholeNumber_IsExact()
    {
        DataSize size = 3000000000;

        size.Bytes.Should().Be(3000000000L);
        DataSize.FromInt64(long.MaxValue).Bytes.Should().Be(long.MaxValue);
    }

    [Test]
    public void ImplicitConversions_FromFloatingPoint_DoNotExist()
    {
        // Toil rejects floats for memory and disk; here `Memory = 1.5` does not compile.
        var sources = typeof(DataSize).GetMethods()
            .Where(m => m.Name is "op_Implicit" or "op_Explicit" && m.ReturnType == typeof(DataSize))
            .Select(m => m.GetParameters().Single().ParameterType);

        sources.Should().BeEquivalentTo([typeof(long), typeof(string)]);
    }

    [TestCase("-1", "negative")]
    [TestCase("-2Gi", "negative")]
    [TestCase("1.5", "whole number")]
    [TestCase("0.0001K", "whole number")]
    [TestCase("8Ei", "too large")]
    [TestCase("2Gx", "unknown unit")]
    [TestCase("Gi", "number")]
    [TestCase("1e9", "unknown unit")]
    [TestCase("", "required")]
    [TestCase("   ", "required")]
    [TestCase("1.2.3", "number")]
    public void Parse_Invalid_ThrowsFormatExceptionNamingTheFieldAndReason(string text, string reason)
    {
        var act = () => DataSize.Parse(text, "memory");

        act.Should().Throw<FormatException>().Which.Message.Should().Contain("memory").And.Contain(reason);
        DataSize.TryParse(text, out _).Should().BeFalse();
    }

    [Test]
    public void TryParse_Null_ReturnsFalse()
    {
        DataSize.TryParse(null, out long bytes).Should().BeFalse();
        bytes.Should().Be(0);
    }

    [TestCase(0L, "0 B")]
    [TestCase(1023L, "1023 B")]
    [TestCase(1536L, "1.5 KiB")]
    [TestCase(2147483648L, "2.0 GiB")]
    public void ToString_Bytes_UsesTheLargestReadableBinaryUnit(long bytes, string expected)
    {
        new DataSize(bytes).ToString().Should().Be(expected);
    }

    [Test]
    public void Comparison_Sizes_CompareByBytes()
    {
        DataSize small = "1Mi";
        DataSize large = "1Gi";

        (small < large).Should().BeTrue();
        (large > small).Should().BeTrue();
        (small <= "1024Ki").Should().BeTrue();
        (small >= "1024Ki").Should().BeTrue();
        small.CompareTo(large).Should().BeNegative();
        small.Should().Be((DataSize)"1024Ki");
    }
}
