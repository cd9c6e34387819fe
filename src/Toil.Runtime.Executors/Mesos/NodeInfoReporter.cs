using Microsoft.Extensions.Logging;

namespace Toil.Runtime.Executors.Mesos;

/// <summary>
/// Sends Toil's node-info message to the framework: first only the agent's address, then every
/// <c>[min, max]</c> (random, 45–75 s by default) the address with the node's use and the number of running tasks.
/// Delivery is best effort, as MESSAGE is in Mesos.
/// </summary>
internal sealed class NodeInfoReporter(
    TimeProvider timeProvider,
    Random random,
    TimeSpan minInterval,
    TimeSpan maxInterval,
    Func<MesosNodeInfoMessage, CancellationToken, Task> send,
    Func<int> workers,
    ILogger logger)
{
    private readonly NodeResourceSampler sampler = new();

    public async Task RunAsync(string address, CancellationToken cancellationToken)
    {
        sampler.Prime();
        await SendAsync(new MesosNodeInfoMessage { Address = address }, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            long span = maxInterval.Ticks - minInterval.Ticks;
            var delay = TimeSpan.FromTicks(minInterval.Ticks + (span == 0 ? 0 : random.NextInt64(span + 1)));
            await Task.Delay(delay, timeProvider, cancellationToken).ConfigureAwait(false);
            var message = new MesosNodeInfoMessage { Address = address, NodeInfo = sampler.Sample(workers()) };
            await SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SendAsync(MesosNodeInfoMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await send(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or IOException)
        {
            MesosLog.NodeInfoFailed(logger, e);
        }
    }
}
