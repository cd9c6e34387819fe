using Microsoft.Extensions.Logging;
using Toil.Runtime.Logging;

namespace Toil.Runtime.Tests.Logging;

/// <summary>How a worker reads the leader's two variables.</summary>
public sealed class RealtimeLoggingRequestTests
{
    [Test]
    public void FromVariables_NoLevel_CriticalOnlyAndNothingSentEvenWithAnAddress()
    {
        var s = RealtimeLoggingRequest.FromVariables(new Dictionary<string, string> { [RealtimeLoggingRequest.AddressVariable] = "not even valid" });
        s.Level.Should().BeNull();
        s.MinimumLevel.Should().Be(LogLevel.Critical);
        s.SendsRecords.Should().BeFalse();
    }

    [Test]
    public void FromVariables_LevelWithoutAddress_AppliesLevelAndSendsNothing()
    {
        var s = RealtimeLoggingRequest.FromVariables(new Dictionary<string, string> { [RealtimeLoggingRequest.LevelVariable] = "debug" });
        s.MinimumLevel.Should().Be(LogLevel.Debug);
        s.SendsRecords.Should().BeFalse();
        s.Host.Should().BeNull();
    }

    [Test]
    public void FromVariables_LevelAndAddress_SendsToHostAndPort()
    {
        var s = RealtimeLoggingRequest.FromVariables(new Dictionary<string, string>
        {
            [RealtimeLoggingRequest.LevelVariable] = "Info",
            [RealtimeLoggingRequest.AddressVariable] = "10.1.2.3:4567",
        });
        s.Level.Should().Be("Info");
        s.MinimumLevel.Should().Be(LogLevel.Information);
        s.SendsRecords.Should().BeTrue();
        (s.Host, s.Port).Should().Be(("10.1.2.3", 4567));
    }

    [Test]
    public void Create_Off_MeansCriticalNotNone()
    {
        RealtimeLoggingRequest.Create("OFF", "127.0.0.1:9").MinimumLevel.Should().Be(LogLevel.Critical);
    }

    [Test]
    public void Create_UnknownLevel_ThrowsNamingIt()
    {
        FluentActions.Invoking(() => RealtimeLoggingRequest.Create("loud", "127.0.0.1:9"))
            .Should().Throw<UnknownLogLevelException>().WithMessage("Unknown level: 'LOUD'*");
    }

    [TestCase("127.0.0.1")]
    [TestCase("::1:5")]
    [TestCase("[::1]:5")]
    [TestCase(":5")]
    [TestCase("host:")]
    [TestCase("host:0")]
    [TestCase("host:70000")]
    [TestCase("host:-1")]
    [TestCase("host:5x")]
    [TestCase("ho st:5")]
    public void Create_MalformedAddress_ThrowsFormatExceptionNamingVariableAndValue(string address)
    {
        FluentActions.Invoking(() => RealtimeLoggingRequest.Create("INFO", address))
            .Should().Throw<FormatException>().WithMessage($"*TOIL_RT_LOGGING_ADDRESS*'{address}'*");
    }

    [Test]
    public void Create_HostName_IsAccepted()
    {
        var s = RealtimeLoggingRequest.Create("INFO", "leader.example.org:5000");
        (s.Host, s.Port).Should().Be(("leader.example.org", 5000));
    }
}
