// README.md: compiled copy of a documentation block (docs/contributing-docs.md); the program of samples/QuickStart.
// begin-snippet: readme-quick-start
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Authoring;
using Toil.Runtime.Leader.Workflows;

await using var provider = new ServiceCollection()
    .AddLogging()
    .AddToilLeader(o => o.JobStore = "file:/tmp/hello-store")   // omit for an in-memory store
    .AddToilJob(Square.Type)
    .BuildServiceProvider();
int nine = await provider.GetRequiredService<IWorkflowRunner>().RunAsync(Square.Type, 3);
Console.WriteLine(nine);

public sealed class Square : IJob<int, int>
{
    // The one place the job's types are written; every call that names the job infers them from this token.
    public static JobType<Square, int, int> Type { get; } =
        JobType.Create<Square, int, int>(QuickJson.Default.Int32, QuickJson.Default.Int32, "square");

    public ValueTask<int> RunAsync(int input, JobContext context, CancellationToken cancellationToken)
    {
        context.LogToLeader($"squaring {input}");   // children: context.AddChild(Other.Type, input) returns a Promise<TOut>
        return ValueTask.FromResult(input * input);
    }
}

[JsonSerializable(typeof(int))]
internal sealed partial class QuickJson : JsonSerializerContext;
// end-snippet
