using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Toil.Runtime.Executors.Mesos;

namespace Toil.Runtime.Executors.Tests.Mesos;

public class NodeInfoReporterTests
{
    [Test]
    public async Task RunAsync_FakeClock_AddressFirstThenNodeInfoEvery45To75Seconds()
    {
        var time = new FakeTimeProvider();
        var sent = new List<(DateTimeOffset At, MesosNodeInfoMessage Message)>();
        var reporter = new NodeInfoReporter(
            time, new Random(3), TimeSpan.FromSeconds(45), TimeSpan.FromSeconds(75),
            (message, _) =>
            {
                lock (sent)
                {
                    sent.Add((time.GetUtcNow(), message));
                }

                return Task.CompletedTask;
            },
            () => 2,
            NullLogger.Instance);
        using var cts = new CancellationTokenSource();
        var loop = reporter.RunAsync("10.0.0.7", cts.Token);

        // Advance fake time one second at a time, giving the loop a moment between steps to arm its next timer.
        for (int second = 0; second < 800; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(1);
        }

        await cts.CancelAsync();
        await loop.Awaiting(l => l.WaitAsync(TimeSpan.FromSeconds(60))).Should().ThrowAsync<OperationCanceledException>();

        List<(DateTimeOffset At, MesosNodeInfoMessage Message)> messages;
        lock (sent)
        {
            messages = [.. sent];
        }

        messages.Should().HaveCountGreaterThanOrEqualTo(8);
        messages[0].Message.Address.Should().Be("10.0.0.7");
        messages[0].Message.NodeInfo.Should().BeNull("the first message only announces the address");
        foreach (var (_, message) in messages.Skip(1))
        {
            message.Address.Should().Be("10.0.0.7");
            message.NodeInfo.Should().NotBeNull();
            message.NodeInfo!.Workers.Should().Be(2);
            message.NodeInfo.CoresTotal.Should().Be(Environment.ProcessorCount);
            message.NodeInfo.MemoryTotal.Should().BePositive();
            message.NodeInfo.CoresUsed.Should().BeInRange(0, 1);
            message.NodeInfo.MemoryUsed.Should().BeInRange(0, 1);
        }

        // A timer armed up to one fake second late (the step) may stretch an interval by that much.
        var intervals = messages.Zip(messages.Skip(1), (a, b) => b.At - a.At).ToList();
        intervals.Should().OnlyContain(i => i >= TimeSpan.FromSeconds(45) && i <= TimeSpan.FromSeconds(76));
        intervals.Distinct().Should().HaveCountGreaterThan(1, "the interval is random");
    }
}
