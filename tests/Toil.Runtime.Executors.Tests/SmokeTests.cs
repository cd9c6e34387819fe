namespace Toil.Runtime.Executors.Tests;

public class SmokeTests
{
    [Test]
    public void Build_Works() => (1 + 1).Should().Be(2);
}
