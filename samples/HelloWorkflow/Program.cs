using HelloWorkflow;

// A whole workflow on the embedded file job store, run by the leader with in-process workers. Everything it makes
// lives in one temporary directory, removed at the end.
string directory = Directory.CreateTempSubdirectory("hello-workflow-").FullName;
try
{
    Console.WriteLine($"HelloWorkflow in {directory}");
    await HelloWorkflowRun.RunAsync(directory, Console.Out);
    return 0;
}
catch (Toil.Runtime.Leader.Workflows.FailedJobsException)
{
    return 1;
}
finally
{
    Directory.Delete(directory, recursive: true);
}
