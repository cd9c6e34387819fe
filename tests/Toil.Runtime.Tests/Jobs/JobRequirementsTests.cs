using Toil.Runtime.Jobs;

namespace Toil.Runtime.Tests.Jobs;

public sealed class JobRequirementsTests
{
    [Test]
    public void Parse_AllFields_FollowToilsRules()
    {
        var r = JobRequirements.Parse(memory: "2Gi", cores: "0.5", disk: "100M", preemptible: "TRUE", accelerators: "cuda:2, gpu", walltime: "3600");

        r.Memory!.Value.Bytes.Should().Be(2147483648L);
        r.Cores.Should().Be(0.5, "cores accept fractions");
        r.Disk!.Value.Bytes.Should().Be(100000000L);
        r.Preemptible.Should().BeTrue();
        r.Accelerators.Should().Equal(new AcceleratorRequirement(2, Api: "cuda", Brand: "nvidia"), new AcceleratorRequirement(1));
        r.Walltime.Should().Be(TimeSpan.FromHours(1));
    }

    [Test]
    public void Parse_NothingGiven_IsNone()
    {
        JobRequirements.Parse().Should().Be(JobRequirements.None);
    }

    [TestCase("true", true)]
    [TestCase("True", true)]
    [TestCase("1", true)]
    [TestCase("false", false)]
    [TestCase("FALSE", false)]
    [TestCase("0", false)]
    public void Parse_Preemptible_AcceptsBooleansAndZeroOneInAnyCase(string text, bool expected)
    {
        JobRequirements.Parse(preemptible: text).Preemptible.Should().Be(expected);
    }

    [TestCase(null, null, null, "yes", null, "preemptible")]
    [TestCase(null, null, null, "2", null, "preemptible")]
    [TestCase("1.5", null, null, null, null, "memory")]
    [TestCase("-1", null, null, null, null, "memory")]
    [TestCase(null, null, "2.5", null, null, "disk")]
    [TestCase(null, null, "-5Gi", null, null, "disk")]
    [TestCase(null, "-1", null, null, null, "cores")]
    [TestCase(null, "many", null, null, null, "cores")]
    [TestCase(null, "NaN", null, null, null, "cores")]
    [TestCase(null, "Infinity", null, null, null, "cores")]
    [TestCase(null, null, null, null, "gpu:0", "accelerators")]
    [TestCase(null, null, null, null, "gpu:1.5", "accelerators")]
    [TestCase(null, null, null, null, "a:b:c", "accelerators")]
    [TestCase(null, null, null, null, "0", "accelerators")]
    [TestCase(null, null, null, null, null, "walltime")]
    public void Parse_InvalidValue_ThrowsFormatExceptionNamingTheField(string? memory, string? cores, string? disk, string? preemptible, string? accelerators, string field)
    {
        string? walltime = field == "walltime" ? "-60" : null;

        var act = () => JobRequirements.Parse(memory, cores, disk, preemptible, accelerators, walltime);

        act.Should().Throw<FormatException>().Which.Message.Should().Contain(field);
    }

    [Test]
    public void Init_NegativeMemoryOrDisk_ThrowsNamingTheField()
    {
        var memory = () => new JobRequirements { Memory = -1 };
        var disk = () => new JobRequirements { Disk = -1 };

        memory.Should().Throw<ArgumentOutOfRangeException>().Which.Message.Should().Contain("memory cannot be negative");
        disk.Should().Throw<ArgumentOutOfRangeException>().Which.Message.Should().Contain("disk cannot be negative");
    }

    [TestCase(-0.5)]
    [TestCase(double.NaN)]
    [TestCase(double.PositiveInfinity)]
    public void Init_InvalidCores_ThrowsNamingTheField(double cores)
    {
        var act = () => new JobRequirements { Cores = cores };

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Cores");
    }

    [Test]
    public void Init_NegativeWalltime_ThrowsNamingTheField()
    {
        var act = () => new JobRequirements { Walltime = TimeSpan.FromSeconds(-1) };

        act.Should().Throw<ArgumentOutOfRangeException>().Which.Message.Should().Contain("walltime");
    }

    [Test]
    public void Equals_SameValuesIncludingAccelerators_AreEqual()
    {
        var a = new JobRequirements { Memory = "1Gi", Accelerators = [new AcceleratorRequirement(2)] };
        var b = new JobRequirements { Memory = 1073741824, Accelerators = [new AcceleratorRequirement(2)] };
        var c = b with { Accelerators = [new AcceleratorRequirement(3)] };

        a.Should().Be(b);
        a.GetHashCode().Should().Be(b.GetHashCode());
        a.Should().NotBe(c);
        (a with { Accelerators = null }).Should().NotBe(a);
    }

    [Test]
    public void Accelerators_SourceListChangedAfterInit_DoesNotChangeTheRequirement()
    {
        List<AcceleratorRequirement> list = [new AcceleratorRequirement()];
        var r = new JobRequirements { Accelerators = list };

        list.Add(new AcceleratorRequirement(4));

        r.Accelerators.Should().HaveCount(1);
    }

    [TestCase("gpu", 1, "gpu", null, null, null)]
    [TestCase("nvidia:2", 2, "gpu", null, "nvidia", null)]
    [TestCase("cuda", 1, "gpu", null, "nvidia", "cuda")]
    [TestCase("rocm:4", 4, "gpu", null, "amd", "rocm")]
    [TestCase("nvidia-tesla-k80", 1, "gpu", "nvidia-tesla-k80", "nvidia", null)]
    [TestCase("amd-mi100", 1, "gpu", "amd-mi100", "amd", null)]
    [TestCase("opencl", 1, "gpu", null, null, "opencl")]
    [TestCase("2", 2, "gpu", null, null, null)]
    public void AcceleratorParse_Descriptions_GuessBrandFromApiOrModel(string text, int count, string kind, string? model, string? brand, string? api)
    {
        AcceleratorRequirement.Parse(text).Should().Be(new AcceleratorRequirement(count, kind, model, brand, api));
    }
}
