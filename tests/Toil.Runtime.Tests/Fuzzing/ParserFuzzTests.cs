using Toil.Runtime.Fuzz;

namespace Toil.Runtime.Tests.Fuzzing;

/// <summary>
/// The fuzz targets of the core library at CI iteration counts (the executors' targets run in their test project). The
/// same targets run longer with <c>dotnet run -c Release --project tests/Toil.Runtime.Fuzz -- --iterations N --parser NAME</c>
/// (docs/reliability.md). A failure prints the shrunk input and the seed that replays it (<c>--seed</c>).
/// </summary>
[Category("Fuzz")]
public sealed class ParserFuzzTests
{
    [TestCase("job-record")]
    [TestCase("job-record-store")]
    [TestCase("workflow-config")]
    [TestCase("stats")]
    [TestCase("deferred-state")]
    [TestCase("datagram")]
    [TestCase("store-names")]
    [TestCase("data-size")]
    [TestCase("log-level")]
    [TestCase("worker-args")]
    public void Parser_CiIterationsOfMutatedInputs_EveryInputEndsInSuccessOrItsTypedError(string parser)
    {
        FuzzTarget target = FuzzTargets.Get(parser);

        var run = () => target.Run(target.CiIterations, writeLine: TestContext.Out.WriteLine);

        run.Should().NotThrow();
    }
}
