// docs/authoring.md: compiled copy of a documentation block (docs/contributing-docs.md).
// begin-snippet: authoring-register
using Microsoft.Extensions.DependencyInjection;

public static class WordCountJobs
{
    public static IServiceCollection AddWordCountJobs(this IServiceCollection services) => services
        .AddToilJob(CountWords.Type)
        .AddToilJob(Sum.Type)
        .AddToilJob(FanOut.Type);
}
// end-snippet
