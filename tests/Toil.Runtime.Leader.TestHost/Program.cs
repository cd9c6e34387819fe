using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Jobs;
using Toil.Runtime.Leader.TestHost;
using Toil.Runtime.Leader.Workflows;
using Toil.Runtime.Worker;

// leader LOCATOR OUTFILE N WORKDIR : runs (or restarts) the square-sum workflow on the local-process batch system,
//                                     with this executable as the worker program; prints the result.
// worker JOBNAME LOCATOR JOBSTOREID: the worker entry (chaos settings from TestWorkerSettings' environment variables).
if (args.Length > 0 && args[0] == "worker")
{
    return await ToilWorkerEntryPoint.RunAsync(args[1..], services =>
    {
        HostJobs.Register(services);
        TestWorkerSettings.Register(services);
    });
}

if (args.Length != 5 || args[0] != "leader")
{
    Console.Error.WriteLine("usage: leader LOCATOR OUTFILE N WORKDIR | worker JOBNAME LOCATOR JOBSTOREID");
    return 2;
}

string locator = args[1];
string outFile = args[2];
int n = int.Parse(args[3], CultureInfo.InvariantCulture);
string workDir = args[4];
string program = Environment.ProcessPath!;
var prefix = new List<string>();
if (Path.GetFileNameWithoutExtension(program) == "dotnet")
{
    prefix.Add(Assembly.GetEntryAssembly()!.Location);
}

prefix.Add("worker");
var services = new ServiceCollection().AddLogging();
HostJobs.Register(services);
await using var provider = services
    .AddToilLeader(o =>
    {
        o.JobStore = locator;
        o.Restart = true;
        o.Config = new WorkflowConfig { RetryCount = 5, RetryBackoffSeconds = 0 };
        o.StatsPollInterval = TimeSpan.FromMilliseconds(100);
        o.WorkerEnvironment["TOIL_WORKDIR"] = workDir;
        o.WorkerEnvironment["TOIL_COORDINATION_DIR"] = workDir;
    })
    .AddLocalProcessBatchSystem(o =>
    {
        o.WorkerCommand = [program, .. prefix];
        o.Cores = 4;
        o.Memory = 16L << 30;
        o.Disk = 16L << 30;
        o.KillGracePeriod = TimeSpan.FromSeconds(5);
    })
    .Configure<WorkerOptions>(o => { o.WorkDir = workDir; o.CoordinationDir = workDir; })
    .BuildServiceProvider();
int total = await provider.GetRequiredService<IWorkflowRunner>().RunAsync<FanJob, FanInput, int>(new(n, outFile));
Console.WriteLine($"total {total}");
return 0;
