using Toil.Runtime.Cli;

namespace Toil.Runtime.Tests.Cli;

[TestFixture]
[Platform(Exclude = "Win", Reason = "The toil tool is a Unix program (its executors use process groups and signals).")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class InstallAliasesTests
{
    private string _root = null!;
    private string _program = null!;

    [SetUp]
    public void SetUp()
    {
        _root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "toil-aliases-" + Guid.NewGuid().ToString("N"))).FullName;
        _program = Path.Combine(_root, "toil");
        File.WriteAllText(_program, "#!/bin/sh\n");
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public void Install_MissingDirectory_CreatesItAndLinksTheThreeNamesToTheProgram()
    {
        string bin = Path.Combine(_root, "bin");

        var links = EntryPointAlias.Install(bin, _program, force: false);

        links.Select(Path.GetFileName).Should().BeEquivalentTo("toil-worker", "toil-contained-executor", "toil-mesos-executor");
        foreach (string link in links)
        {
            new FileInfo(link).LinkTarget.Should().Be(_program);
        }
    }

    [Test]
    public void Install_Twice_KeepsTheLinks()
    {
        string bin = Path.Combine(_root, "bin");
        EntryPointAlias.Install(bin, _program, force: false);

        var again = EntryPointAlias.Install(bin, _program, force: false);

        again.Should().HaveCount(3);
        new FileInfo(Path.Combine(bin, "toil-worker")).LinkTarget.Should().Be(_program);
    }

    [Test]
    public void Install_OtherFileOfThatNameWithoutForce_ThrowsAndKeepsIt()
    {
        string bin = Directory.CreateDirectory(Path.Combine(_root, "bin")).FullName;
        File.WriteAllText(Path.Combine(bin, "toil-worker"), "mine");

        var act = () => EntryPointAlias.Install(bin, _program, force: false);

        act.Should().Throw<IOException>().WithMessage("*toil-worker*--force*");
        File.ReadAllText(Path.Combine(bin, "toil-worker")).Should().Be("mine");
    }

    [Test]
    public void Install_OtherFileOfThatNameWithForce_ReplacesItWithALink()
    {
        string bin = Directory.CreateDirectory(Path.Combine(_root, "bin")).FullName;
        File.WriteAllText(Path.Combine(bin, "toil-worker"), "mine");

        EntryPointAlias.Install(bin, _program, force: true);

        new FileInfo(Path.Combine(bin, "toil-worker")).LinkTarget.Should().Be(_program);
    }

    [Test]
    public void Install_MissingProgram_ThrowsFileNotFound()
    {
        var act = () => EntryPointAlias.Install(Path.Combine(_root, "bin"), Path.Combine(_root, "nope"), force: false);

        act.Should().Throw<FileNotFoundException>();
        Directory.Exists(Path.Combine(_root, "bin")).Should().BeFalse();
    }

    [Test]
    public void Apply_InvokedThroughAnInstalledLink_RunsThatSubcommand()
    {
        var root = new System.CommandLine.RootCommand("toil") { WorkerCommand.Create() };
        string link = EntryPointAlias.Install(Path.Combine(_root, "bin"), _program, force: false).Single(l => l.EndsWith("toil-worker", StringComparison.Ordinal));

        string[] args = EntryPointAlias.Apply(root, ["job", "file:/s", "id"], [_program, link]);

        args.Should().Equal("worker", "job", "file:/s", "id");
    }
}
