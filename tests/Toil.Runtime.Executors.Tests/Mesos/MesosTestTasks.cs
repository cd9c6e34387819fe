using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Toil.Runtime.Executors.Contained;
using Toil.Runtime.Executors.Mesos;

namespace Toil.Runtime.Executors.Tests.Mesos;

/// <summary>Builds agent events and runs an executor against a <see cref="FakeMesosAgent"/>.</summary>
internal static class MesosTestTasks
{
    /// <summary>Toil's payload as it travels in <c>TaskInfo.data</c> (base64 in the JSON API).</summary>
    public static string Payload(string command, IDictionary<string, string>? environment = null) =>
        new ContainedExecutorPayload(command, environment?.ToDictionary()).Encode();

    public static string TaskInfo(string taskId, string? data) =>
        "{\"name\":\"job " + taskId + "\",\"task_id\":{\"value\":\"" + taskId + "\"},\"agent_id\":{\"value\":\"agent-1\"},\"resources\":[{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":{\"value\":1}}],\"executor\":{\"executor_id\":{\"value\":\"toil-4242\"},\"command\":{\"value\":\"toil mesos-executor\"}}" + (data is null ? "" : ",\"data\":\"" + data + "\"") + "}";

    public static string Launch(string taskId, string command, IDictionary<string, string>? environment = null) =>
        "{\"type\":\"LAUNCH\",\"launch\":{\"task\":" + TaskInfo(taskId, Payload(command, environment)) + "}}";

    public static string LaunchRawData(string taskId, string? data) =>
        "{\"type\":\"LAUNCH\",\"launch\":{\"task\":" + TaskInfo(taskId, data) + "}}";

    public static string Kill(string taskId) => "{\"type\":\"KILL\",\"kill\":{\"task_id\":{\"value\":\"" + taskId + "\"}}}";

    public const string Shutdown = """{"type":"SHUTDOWN"}""";

    public sealed class Run : IAsyncDisposable
    {
        private readonly CancellationTokenSource cts = new();

        public Run(FakeMesosAgent agent, MesosExecutorOptions options)
        {
            Agent = agent;
            Logs = new FakeLoggerProvider();
            LoggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
            Executor = new MesosExecutor(options, LoggerFactory, handler: null);
            Exit = Task.Run(() => Executor.RunAsync(cts.Token));
        }

        public FakeMesosAgent Agent { get; }

        public FakeLoggerProvider Logs { get; }

        public ILoggerFactory LoggerFactory { get; }

        public MesosExecutor Executor { get; }

        public Task<int> Exit { get; }

        public async Task<int> ExitCodeAsync() => await Exit.WaitAsync(FakeMesosAgent.Bound);

        public async ValueTask DisposeAsync()
        {
            if (!Exit.IsCompleted)
            {
                await cts.CancelAsync();
                try
                {
                    await Exit.WaitAsync(FakeMesosAgent.Bound);
                }
                catch (OperationCanceledException)
                {
                }
            }

            cts.Dispose();
            LoggerFactory.Dispose();
        }
    }
}
