namespace Toil.Runtime.TestHost;

/// <summary>Prints its arguments and exits with 0: proves the host can be started from a test.</summary>
public sealed class EchoScenario : IHostScenario
{
    /// <inheritdoc />
    public string Name => "echo";

    /// <inheritdoc />
    public Task<int> RunAsync(string[] args)
    {
        Console.WriteLine(string.Join(' ', args));
        return Task.FromResult(0);
    }
}
