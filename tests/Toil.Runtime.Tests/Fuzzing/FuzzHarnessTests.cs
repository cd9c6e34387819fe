using CsCheck;
using Toil.Runtime.Fuzz;
using Toil.Runtime.Fuzz.Targets;

namespace Toil.Runtime.Tests.Fuzzing;

/// <summary>The harness itself: its generators reach the malformed shapes, and a parser that breaks the property fails the run.</summary>
public sealed class FuzzHarnessTests
{
    [Test]
    public void Run_ParserThatThrowsAnUndocumentedExceptionOnANullInAList_Fails()
    {
        var target = new NullInListCrashes();

        var run = () => target.Run(2000);

        run.Should().Throw<Exception>().Which.ToString().Should().Contain("NullReferenceException");
    }

    [Test]
    public void Documents_FromAValidJobRecord_ProduceNullsInListsWrongTypesTruncationsAndDeepNesting()
    {
        var samples = new List<string>();
        JsonMutation.Documents(ValidDocuments.JobRecords()).Sample(b => samples.Add(System.Text.Encoding.UTF8.GetString(b)), iter: 3000, threads: 1);

        samples.Should().Contain(s => s.Contains("[null", StringComparison.Ordinal) || s.Contains(",null", StringComparison.Ordinal));
        samples.Should().Contain(s => s.Contains("1e400", StringComparison.Ordinal));
        samples.Should().Contain(s => s.Contains("[[[[[[[[[[", StringComparison.Ordinal));
        samples.Should().Contain(s => s.Length > 0 && !s.TrimEnd().EndsWith('}'));
        samples.Should().Contain(s => !s.Contains("\"successorPhases\"", StringComparison.Ordinal), "fields are dropped");
    }

    private sealed class NullInListCrashes : FuzzTarget<byte[]>
    {
        public override string Name => "null-in-list-crashes";

        public override string Property => "a parser with the defect of issue #11 item 1";

        public override long CiIterations => 2000;

        protected override Gen<byte[]> Inputs { get; } = JsonMutation.Documents(ValidDocuments.JobRecords());

        protected override void Check(byte[] input)
        {
            string text = System.Text.Encoding.UTF8.GetString(input);
            if (text.Contains("[null", StringComparison.Ordinal))
            {
                throw new NullReferenceException("the parser dereferenced a null list element");
            }
        }
    }
}
