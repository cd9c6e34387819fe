using Toil.Runtime.Fuzz;

namespace Toil.Runtime.Executors.Tests.Fuzzing;

/// <summary>
/// The executors' fuzz targets at CI iteration counts: the contained executor's payload, Mesos events and the RecordIO
/// stream. Longer runs: <c>dotnet run -c Release --project tests/Toil.Runtime.Fuzz -- --iterations N --parser NAME</c>
/// (docs/reliability.md).
/// </summary>
[Category("Fuzz")]
public sealed class ExecutorFuzzTests
{
    [TestCase("contained-payload")]
    [TestCase("mesos-event")]
    [TestCase("recordio")]
    public void Parser_CiIterationsOfMutatedInputs_EveryInputEndsInSuccessOrItsTypedError(string parser)
    {
        FuzzTarget target = FuzzTargets.Get(parser);

        var run = () => target.Run(target.CiIterations, writeLine: TestContext.Out.WriteLine);

        run.Should().NotThrow();
    }
}
