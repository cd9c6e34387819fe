using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Toil.Runtime.Authoring;
using Toil.Runtime.Deferred;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Worker;

namespace Toil.Runtime.TestHost;

/// <summary>
/// Runs one job through <see cref="WorkerRunner"/> in process mode (descriptors 1 and 2 redirected) on an in-memory job
/// store, with a leader environment (<c>TOIL_SCENARIO_VAR</c>, and <c>HOME</c>, which is rejected). The job writes to
/// the console, starts <c>sh -c 'echo ...'</c> (which inherits the descriptors and the environment), logs a line
/// and fails with exit code 3, so the runner stores its log. While it runs it tries a second process-mode run, which
/// must be refused (<c>nested-refused</c>). Afterwards the scenario prints <c>AFTER</c> and the stored
/// log between <c>LOG-BEGIN</c> and <c>LOG-END</c> on the restored standard output, and exits with the runner's code.
/// Arguments: <c>workDir</c>.
/// </summary>
public sealed class WorkerProcessModeScenario : IHostScenario
{
    /// <inheritdoc />
    public string Name => "worker-process-mode";

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] args)
    {
        string workDir = args[0];
        Console.WriteLine("BEFORE");
        var store = new InMemoryJobStore();
        var job = new JobDescription("shell");
        await store.AssignJobIdAsync(job);
        string body = await store.WriteFileAsync((s, ct) => s.WriteAsync("{}"u8.ToArray(), ct), job.JobStoreId, cleanup: true);
        job.AttachBody(new JobBody("shell", body));
        await store.CreateJobsAsync([job]);
        await store.WriteSharedFileAsync(SharedFileNames.Environment, "{\"TOIL_SCENARIO_VAR\":\"from-leader-env\",\"HOME\":\"/leader-home\"}"u8.ToArray());

        var options = Options.Create(new WorkerOptions { WorkDir = workDir, CoordinationDir = Path.Combine(workDir, "coord") });
        var invoker = new ShellInvoker();
        var runner = new WorkerRunner(invoker, new InMemoryDeferredFunctionManagerFactory(new DeferredFunctionRegistry()), options, new EmptyServices());
        invoker.Nested = () => runner.RunAsync(new WorkerRequest(store, job.JobStoreId) { Mode = WorkerMode.Process });
        var result = await runner.RunAsync(new WorkerRequest(store, job.JobStoreId) { Mode = WorkerMode.Process });

        Console.WriteLine("AFTER");
        var record = await store.LoadJobAsync(job.JobStoreId);
        if (record.LogJobStoreFileId is { } logId)
        {
            Console.WriteLine("LOG-BEGIN");
            Console.WriteLine(Encoding.UTF8.GetString(await store.ReadAllBytesAsync(logId)));
            Console.WriteLine("LOG-END");
        }

        return result.ExitCode;
    }

    private sealed class ShellInvoker : IJobBodyInvoker
    {
        public Func<Task>? Nested { get; set; }

        public async ValueTask<JobBodyOutcome> InvokeAsync(JobInvocation invocation, CancellationToken cancellationToken = default)
        {
            Console.WriteLine("console-from-job");
            try
            {
                await Nested!();
                Console.WriteLine("nested-allowed");
            }
            catch (InvalidOperationException)
            {
                Console.WriteLine("nested-refused");
            }

            var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("echo hello-from-child; echo error-from-child 1>&2; echo \"var=$TOIL_SCENARIO_VAR home=$HOME\"");
            using (var child = Process.Start(psi)!)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromMinutes(1));
                await child.WaitForExitAsync(timeout.Token);
            }

            invocation.Logger.LogWarning("logged-by-job");
            throw new JobExitException(3, "the job asked for exit code 3");
        }
    }

    private sealed class EmptyServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}
