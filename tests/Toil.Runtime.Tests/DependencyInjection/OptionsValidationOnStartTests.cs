using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Toil.Runtime.Deferred;
using Toil.Runtime.JobStores;
using Toil.Runtime.Logging;

namespace Toil.Runtime.Tests.DependencyInjection;

/// <summary>
/// Each options type of the core is checked by its one generated validator: at a host's start when the library
/// registers it, and by the same rules where a class is given the options directly.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class OptionsValidationOnStartTests
{
    [Test]
    public void AddToilRealtimeLogging_DatagramSizeOutOfRange_FailsOnStartNamingTheOption()
    {
        using var provider = new ServiceCollection()
            .AddLogging(b => b.AddToilRealtimeLogging(RealtimeLoggingRequest.Disabled, o => o.MaxDatagramSize = 10))
            .BuildServiceProvider();

        var start = () => provider.GetRequiredService<IStartupValidator>().Validate();

        start.Should().Throw<OptionsValidationException>().WithMessage("*MaxDatagramSize*");
    }

    [Test]
    public void AddToilRealtimeLoggingServer_PortOutOfRange_FailsOnStartNamingTheOption()
    {
        using var provider = new ServiceCollection().AddLogging().AddToilRealtimeLoggingServer(o => o.Port = 70_000).BuildServiceProvider();

        var start = () => provider.GetRequiredService<IStartupValidator>().Validate();

        start.Should().Throw<OptionsValidationException>().WithMessage("*Port*65535*");
    }

    [Test]
    public void FileJobStoreOptionsValidator_SameOptionsAsTheStoreRefuses_FailsWithTheSameMessages()
    {
        var options = new FileJobStoreOptions { Locator = "file:/tmp/x", LockTimeout = TimeSpan.Zero, MaxJobRecordBytes = 1 };

        var validation = new FileJobStoreOptionsValidator().Validate(Options.DefaultName, options);
        var open = () => FileJobStore.OpenAsync(options).AsTask();

        validation.Failures.Should().HaveCount(2).And.Contain(f => f.Contains(nameof(FileJobStoreOptions.LockTimeout)))
            .And.Contain(f => f.Contains(nameof(FileJobStoreOptions.MaxJobRecordBytes)));
        open.Should().ThrowAsync<OptionsValidationException>().Result.Which.Failures.Should().Equal(validation.Failures);
    }

    [Test]
    public void DeferredFunctionManagerOptionsValidator_MissingDirectory_FailsNamingTheOption()
    {
        var validation = new DeferredFunctionManagerOptionsValidator().Validate(null, new DeferredFunctionManagerOptions { FunctionTimeout = TimeSpan.FromDays(2) });

        validation.Failures.Should().HaveCount(2).And.Contain(f => f.Contains(nameof(DeferredFunctionManagerOptions.CoordinationDirectory)))
            .And.Contain(f => f.Contains(nameof(DeferredFunctionManagerOptions.FunctionTimeout)));
    }

    [Test]
    public void AddToilRuntime_LevelVariableSetAfterRegistration_IsReadWhenTheContainerIsBuilt()
    {
        var services = new ServiceCollection().AddLogging().AddToilRuntime();
        using var variables = new RealtimeVariables("debug", null);
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();

        provider.GetRequiredService<RealtimeLogger>().Request.MinimumLevel.Should().Be(LogLevel.Debug);
        provider.GetRequiredService<IOptions<LoggerFilterOptions>>().Value.Rules
            .Where(r => r.CategoryName == RealtimeLogger.CategoryName).Select(r => r.LogLevel).Should().Equal(LogLevel.Debug);
    }

    [Test]
    public void AddToilRuntime_MalformedLevelVariable_FailsOnStart()
    {
        using var variables = new RealtimeVariables("LOUD", null);
        using var provider = new ServiceCollection().AddLogging().AddToilRuntime().BuildServiceProvider();

        var start = () => provider.GetRequiredService<IStartupValidator>().Validate();

        start.Should().Throw<UnknownLogLevelException>().WithMessage("*LOUD*");
    }

    [Test]
    public void AddToilRuntime_SettingsRegisteredAfterwards_WinOverTheEnvironmentAndSendOnce()
    {
        using var variables = new RealtimeVariables("DEBUG", "127.0.0.1:9");
        var mine = RealtimeLoggingRequest.Create("ERROR", null);
        using var provider = new ServiceCollection()
            .AddLogging()
            .AddToilRuntime()
            .AddLogging(b => b.AddToilRealtimeLogging(mine))
            .BuildServiceProvider();

        provider.GetRequiredService<RealtimeLogger>().Request.Should().BeSameAs(mine);
        var providers = provider.GetServices<ILoggerProvider>().ToList();
        providers.OfType<RealtimeLoggerProvider>().Should().ContainSingle().Which.Request.Should().BeSameAs(mine);
        providers.OfType<EnvironmentRealtimeLoggerProvider>().Single().Inner.Should().BeNull();
        provider.GetRequiredService<IOptions<LoggerFilterOptions>>().Value.Rules
            .Where(r => r.CategoryName == RealtimeLogger.CategoryName).Select(r => r.LogLevel).Should().Equal(LogLevel.Error);
    }

    [Test]
    public void AddToilRuntime_LevelAndAddressVariables_AddOneSendingProvider()
    {
        using var variables = new RealtimeVariables("INFO", "127.0.0.1:9");
        using var provider = new ServiceCollection().AddLogging().AddToilRuntime().BuildServiceProvider();

        var sender = provider.GetServices<ILoggerProvider>().OfType<EnvironmentRealtimeLoggerProvider>().Single().Inner;

        sender.Should().NotBeNull();
        sender!.Request.Host.Should().Be("127.0.0.1");
        sender.Request.Port.Should().Be(9);
    }

    /// <summary>Sets the two real-time variables for one test and restores what was there.</summary>
    private sealed class RealtimeVariables : IDisposable
    {
        private readonly string? _level = Environment.GetEnvironmentVariable(RealtimeLoggingRequest.LevelVariable);
        private readonly string? _address = Environment.GetEnvironmentVariable(RealtimeLoggingRequest.AddressVariable);

        public RealtimeVariables(string? level, string? address)
        {
            Environment.SetEnvironmentVariable(RealtimeLoggingRequest.LevelVariable, level);
            Environment.SetEnvironmentVariable(RealtimeLoggingRequest.AddressVariable, address);
        }

        public void Dispose()
        {
            Environment.SetEnvironmentVariable(RealtimeLoggingRequest.LevelVariable, _level);
            Environment.SetEnvironmentVariable(RealtimeLoggingRequest.AddressVariable, _address);
        }
    }
}
