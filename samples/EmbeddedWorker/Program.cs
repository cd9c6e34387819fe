using EmbeddedWorker;

// A custom engine embedding only the Toil worker: the job graph lives in a file job store under a temporary directory,
// and a minimal scheduling loop (MiniScheduler.cs) runs WorkerRunner in-process on each ready job.
string directory = Path.Combine(Path.GetTempPath(), "toil-embedded-worker-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(directory);
try
{
    var result = await EmbeddedWorkflow.RunAsync(directory, Console.Out);
    Console.WriteLine();
    Console.WriteLine($"ran:       {string.Join(", ", result.Report.Ran)}");
    Console.WriteLine($"chained:   {string.Join(", ", result.Report.Chained)}");
    Console.WriteLine($"retried:   {string.Join(", ", result.Report.Retried)}");
    Console.WriteLine($"words:     {result.TotalWords?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}");
    Console.WriteLine($"jobs left: {result.JobsLeft}");
    Console.WriteLine(result.Succeeded ? "workflow succeeded" : $"workflow failed: {string.Join(", ", result.Report.FailedJobs)}");
    return result.Succeeded && result.JobsLeft == 0 ? 0 : 1;
}
finally
{
    Directory.Delete(directory, recursive: true);
}
