using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Worker;

public sealed class WorkerArgumentsTests
{
    [Test]
    public void TryParse_ThreePositionals_ReturnsThem()
    {
        WorkerArguments.TryParse(["count-words", "file:/shared/store", "kind-a/instance-1"], out var parsed, out string? error).Should().BeTrue();

        error.Should().BeNull();
        parsed.Should().Be(new WorkerArguments("count-words", "file:/shared/store", "kind-a/instance-1"));
    }

    [Test]
    public void TryParse_DoubleDash_TakesDashedValuesAsPositionals()
    {
        WorkerArguments.TryParse(["--", "-odd-name", "file:/s", "id"], out var parsed, out _).Should().BeTrue();

        parsed!.JobName.Should().Be("-odd-name");
    }

    [TestCase(new string[0], "missing argument")]
    [TestCase(new[] { "job", "file:/s" }, "missing argument")]
    [TestCase(new[] { "job", "file:/s", "id", "extra" }, "unexpected argument 'extra'")]
    [TestCase(new[] { "job", "file:/s", "id", "--context", "gAR9lC4=" }, "'--context'")]
    [TestCase(new[] { "--retry", "job", "file:/s", "id" }, "unknown option '--retry'")]
    [TestCase(new[] { "job", " ", "id" }, "JOBSTORELOCATOR must not be empty")]
    public void TryParse_BadArguments_FailsWithClearMessage(string[] args, string expected)
    {
        WorkerArguments.TryParse(args, out var parsed, out string? error).Should().BeFalse();

        parsed.Should().BeNull();
        error.Should().Contain(expected);
    }
}
