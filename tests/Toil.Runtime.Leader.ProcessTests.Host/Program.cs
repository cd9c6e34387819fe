using Toil.Runtime.Leader.ProcessTests.Host;
using Toil.Runtime.Worker;

if (args is ["worker", .. var workerArgs])
{
    return await ToilWorkerEntryPoint.RunAsync(workerArgs, services => new ProcessTestJobs().ConfigureServices(services));
}

await Console.Error.WriteLineAsync("usage: Toil.Runtime.Leader.ProcessTests.Host worker JOBNAME JOBSTORELOCATOR JOBSTOREID");
return 2;
