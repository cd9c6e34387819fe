using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Toil.Runtime.Executors.Mesos;

namespace Toil.Runtime.Executors.Tests.Mesos;

public class MesosExecutorEnvironmentTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value);
        return name => map.GetValueOrDefault(name);
    }

    [Test]
    public void Read_AllVariables_FillsOptions()
    {
        var logger = new FakeLogger();
        var options = MesosExecutorEnvironment.Read(
            Env(("MESOS_FRAMEWORK_ID", "fw"), ("MESOS_EXECUTOR_ID", "ex"), ("MESOS_AGENT_ENDPOINT", "10.0.0.1:5051"),
                ("MESOS_CHECKPOINT", "1"), ("MESOS_RECOVERY_TIMEOUT", "15mins"), ("MESOS_SUBSCRIPTION_BACKOFF_MAX", "2secs"),
                ("MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD", "500ms"), ("MESOS_EXECUTOR_AUTHENTICATION_TOKEN", "tok")),
            logger);

        options.FrameworkId.Should().Be("fw");
        options.ExecutorId.Should().Be("ex");
        options.AgentEndpoint.Should().Be("10.0.0.1:5051");
        options.Checkpoint.Should().BeTrue();
        options.RecoveryTimeout.Should().Be(TimeSpan.FromMinutes(15));
        options.SubscriptionBackoffMax.Should().Be(TimeSpan.FromSeconds(2));
        options.ShutdownGracePeriod.Should().Be(TimeSpan.FromMilliseconds(500));
        options.AuthenticationToken.Should().Be("tok");
        logger.Collector.Count.Should().Be(0);
        new MesosExecutorOptionsValidator().Validate(null, options).Succeeded.Should().BeTrue();
    }

    [Test]
    public void Read_CheckpointZero_IsOff()
    {
        // pymesos treats any non-empty string as true, so "0" still retried; Mesos sets "0" when checkpointing is off.
        MesosExecutorEnvironment.Read(Env(("MESOS_CHECKPOINT", "0")), null).Checkpoint.Should().BeFalse();
        MesosExecutorEnvironment.Read(Env(), null).Checkpoint.Should().BeFalse();
    }

    [TestCase("true")]
    [TestCase("yes")]
    [TestCase("2")]
    public void Read_CheckpointNotZeroOrOne_Throws(string value)
    {
        var read = () => MesosExecutorEnvironment.Read(Env(("MESOS_CHECKPOINT", value)), null);
        read.Should().Throw<FormatException>().WithMessage("*MESOS_CHECKPOINT*");
    }

    [Test]
    public void Read_NoAgentEndpoint_FallsBackToSlaveEndpointWithWarning()
    {
        var logger = new FakeLogger();
        var options = MesosExecutorEnvironment.Read(Env(("MESOS_SLAVE_ENDPOINT", "10.1.1.1:5051")), logger);

        options.AgentEndpoint.Should().Be("10.1.1.1:5051");
        logger.LatestRecord.Level.Should().Be(LogLevel.Warning);
        logger.LatestRecord.Message.Should().Be("Had to fake MESOS_AGENT_ENDPOINT as 10.1.1.1:5051");
    }

    [Test]
    public void Read_NoEndpointAtAll_FallsBackToLocalhostWithWarning()
    {
        var logger = new FakeLogger();
        var options = MesosExecutorEnvironment.Read(Env(("MESOS_AGENT_ENDPOINT", "")), logger);

        options.AgentEndpoint.Should().Be("127.0.0.1:5051");
        logger.LatestRecord.Level.Should().Be(LogLevel.Warning);
        logger.LatestRecord.Message.Should().Contain("127.0.0.1:5051");
    }

    [TestCase("MESOS_RECOVERY_TIMEOUT", "15")]
    [TestCase("MESOS_SUBSCRIPTION_BACKOFF_MAX", "2 secs")]
    [TestCase("MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD", "5seconds")]
    public void Read_BadDuration_ThrowsNamingTheVariable(string name, string value)
    {
        var read = () => MesosExecutorEnvironment.Read(Env((name, value)), null);
        read.Should().Throw<FormatException>().WithMessage($"*{name}*{value}*");
    }

    [TestCase("5secs", 5_000)]
    [TestCase("2.5secs", 2_500)]
    [TestCase("100ms", 100)]
    [TestCase("15mins", 900_000)]
    [TestCase("1hrs", 3_600_000)]
    [TestCase("1days", 86_400_000)]
    [TestCase("1weeks", 604_800_000)]
    [TestCase("1500us", 1.5)]
    [TestCase("2000000ns", 2)]
    public void Parse_MesosDuration_ReturnsTimeSpan(string text, double milliseconds)
    {
        MesosDuration.Parse(text, "X").TotalMilliseconds.Should().BeApproximately(milliseconds, 0.0001);
    }

    [TestCase("")]
    [TestCase("secs")]
    [TestCase("-1secs")]
    [TestCase("1sec")]
    [TestCase("1.2.3secs")]
    public void Parse_NotAMesosDuration_Throws(string text)
    {
        var parse = () => MesosDuration.Parse(text, "X");
        parse.Should().Throw<FormatException>();
    }

    [Test]
    public void Validate_MissingIdsAndBadValues_ListsEveryProblem()
    {
        var options = new MesosExecutorOptions
        {
            AgentEndpoint = "no-port",
            ShutdownGracePeriod = TimeSpan.Zero,
            NodeInfoIntervalMin = TimeSpan.FromSeconds(10),
            NodeInfoIntervalMax = TimeSpan.FromSeconds(5),
        };

        var result = new MesosExecutorOptionsValidator().Validate(null, options);

        result.Failed.Should().BeTrue();
        result.Failures.Should().HaveCount(5);
        result.FailureMessage.Should().Contain("MESOS_FRAMEWORK_ID").And.Contain("MESOS_EXECUTOR_ID")
            .And.Contain("AgentEndpoint").And.Contain("ShutdownGracePeriod").And.Contain("NodeInfoIntervalMax");
    }

    [Test]
    public async Task RunAsync_InvalidOptions_ThrowsValidationException()
    {
        var run = () => MesosExecutor.RunAsync(new MesosExecutorOptions(), null, CancellationToken.None);
        await run.Should().ThrowAsync<Microsoft.Extensions.Options.OptionsValidationException>();
    }
}
