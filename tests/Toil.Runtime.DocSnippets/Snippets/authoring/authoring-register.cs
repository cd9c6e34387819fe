// docs/authoring.md: compiled copy of a documentation block (docs/contributing-docs.md).
// begin-snippet: authoring-register
using Microsoft.Extensions.DependencyInjection;

public static class WordCountJobs
{
    public static IServiceCollection AddWordCountJobs(this IServiceCollection services) => services
        .AddToilJob<CountWords, CountInput, int>(WordCountJson.Default.CountInput, WordCountJson.Default.Int32)
        .AddToilJob<Sum, SumInput, int>(WordCountJson.Default.SumInput, WordCountJson.Default.Int32)
        .AddToilJob<FanOut, FanInput>(WordCountJson.Default.FanInput);
}
// end-snippet
