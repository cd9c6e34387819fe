using System.CommandLine;
using Toil.Runtime.Cli;

namespace Toil.Runtime.Tests.Cli;

[TestFixture]
[Platform(Exclude = "Win", Reason = "The toil tool is a Unix program (its executors use process groups and signals).")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class WorkerCommandTests
{
    private static ParseResult Parse(params string[] args)
    {
        var root = new RootCommand("toil") { WorkerCommand.Create() };
        return root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
    }

    [Test]
    public void Help_WorkerCommand_ShowsThePositionalArgumentsAsRequired()
    {
        var output = new StringWriter();

        int code = Parse("worker", "--help").Invoke(new InvocationConfiguration { Output = output });

        code.Should().Be(0);
        string help = output.ToString();
        help.Should().Contain("worker <JOBNAME> <JOBSTORELOCATOR> <JOBSTOREID>");
        help.Should().NotContain("[<JOBNAME>]").And.NotContain("--context");
    }

    [Test]
    public void Parse_ThreeArguments_GivesThemWithoutError()
    {
        var result = Parse("worker", "job", "file:/store", "kind/instance");

        result.Errors.Should().BeEmpty();
        result.CommandResult.Command.Name.Should().Be(WorkerCommand.Name);
        result.Tokens.Select(t => t.Value).Should().Equal("worker", "job", "file:/store", "kind/instance");
    }

    [TestCase("worker")]
    [TestCase("worker job file:/store")]
    [TestCase("worker job file:/store id extra")]
    public void Parse_WrongNumberOfArguments_IsAUsageErrorWithExitCode2(string commandLine)
    {
        var result = Parse(commandLine.Split(' '));
        var error = new StringWriter();

        int code = WorkerCommand.ReportUsageError(result, error);

        result.Errors.Should().NotBeEmpty();
        code.Should().Be(2);
        error.ToString().Should().StartWith(WorkerCommand.Usage).And.Contain("error: ");
    }

    [Test]
    public void Parse_EmptyArgument_IsRefusedNamingIt()
    {
        var result = Parse("worker", "job", " ", "id");

        result.Errors.Select(e => e.Message).Should().Contain("JOBSTORELOCATOR must not be empty");
    }

    [Test]
    public void Parse_ContextOption_IsRefusedSayingWhy()
    {
        var result = Parse("worker", "--context", "gASVAAAA", "job", "file:/store", "id");

        result.Errors.Select(e => e.Message).Should().Contain(m => m.Contains("'--context'") && m.Contains("not supported"));
    }

    [Test]
    public void Parse_ServeBesideJobArguments_IsRefusedSayingWhy()
    {
        var result = Parse("worker", "--serve", "job", "file:/store", "id");

        result.Errors.Select(e => e.Message).Should().Contain(m => m.Contains("'--serve' takes no JOBNAME"));
    }

    [Test]
    public void Parse_ThreeArgumentsWithoutServe_HasNoServeError()
    {
        var result = Parse("worker", "job", "file:/store", "id");

        result.Errors.Should().BeEmpty("the hidden --serve option is only refused when given");
    }
}
