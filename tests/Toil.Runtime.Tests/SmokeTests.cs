using Toil.Runtime.Testing.Processes;

namespace Toil.Runtime.Tests;

public class SmokeTests
{
    [Test]
    public async Task TestHost_Echo_PrintsArgumentsAndExitsZero()
    {
        var (code, stdout, _) = await TestHostProcess.RunAsync(TimeSpan.FromSeconds(30), "echo", "a", "b");
        code.Should().Be(0);
        stdout.Trim().Should().Be("a b");
    }
}
