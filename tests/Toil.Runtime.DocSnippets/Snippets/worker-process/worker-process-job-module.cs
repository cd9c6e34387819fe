// docs/worker-process.md: compiled copy of a documentation block (docs/contributing-docs.md).
// begin-snippet: worker-process-job-module
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Authoring;

[assembly: ToilJobModule(typeof(WordCountModule))]

public sealed class WordCountModule : IToilJobModule   // public, with a public parameterless constructor
{
    public void ConfigureServices(IServiceCollection services) => services.AddWordCountJobs();
}
// end-snippet
