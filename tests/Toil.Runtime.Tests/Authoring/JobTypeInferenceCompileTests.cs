using System.Text.Json.Serialization.Metadata;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Authoring;

namespace Toil.Runtime.Tests.Authoring;

/// <summary>
/// Compiles small programs against the library to show that the token entry points infer every type argument and that
/// an input of another type is a compile error, not a run-time one.
/// </summary>
public sealed class JobTypeInferenceCompileTests
{
    private const string Jobs = """
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using Microsoft.Extensions.DependencyInjection;
        using Toil.Runtime.Authoring;
        using Toil.Runtime.JobStores;

        public sealed class Length : IJob<string, int>
        {
            public static JobType<Length, string, int> Type { get; } = JobType.Create<Length, string, int>(null!, null!, "length");
            public ValueTask<int> RunAsync(string input, JobContext context, CancellationToken ct) => ValueTask.FromResult(input.Length);
        }

        public sealed class Note : IJob<string>
        {
            public static JobType<Note, string> Type { get; } = JobType.Create<Note, string>(null!, "note");
            public ValueTask RunAsync(string input, JobContext context, CancellationToken ct) => ValueTask.CompletedTask;
        }

        public static class Use
        {
        """;

    [Test]
    public void EveryTokenEntryPoint_NoTypeArguments_Compiles()
    {
        var errors = Compile("""
                public static async Task All(IServiceCollection services, JobContext context, IJobStore store, JobTypeRegistry registry)
                {
                    services.AddToilJob(Length.Type).AddToilJob(Note.Type);
                    Promise<int> child = context.AddChild(Length.Type, "a");
                    JobHandle note = context.AddChild(Note.Type, "b");
                    Promise<int> followOn = context.AddFollowOn(Length.Type, "c");
                    JobHandle noteAfter = context.AddFollowOn(Note.Type, "d");
                    Promise<int> checkpoint = context.AddCheckpointChild(Length.Type, "e");
                    Promise<int> created = context.CreateJob(Length.Type, "f");
                    Promise<int> grandchild = child.Job!.AddChild(Length.Type, "g");
                    RootJob<int> root = await store.CreateRootJobAsync(registry, Length.Type, "h");
                    string rootId = await store.CreateRootJobAsync(registry, Note.Type, "i");
                }
            }
            """);

        errors.Should().BeEmpty();
    }

    [TestCase("context.AddChild(Length.Type, 42);")]
    [TestCase("context.AddFollowOn(Note.Type, 42);")]
    [TestCase("context.AddCheckpointChild(Length.Type, new object());")]
    [TestCase("context.CreateJob(Note.Type, 1.5);")]
    [TestCase("store.CreateRootJobAsync(registry, Length.Type, 42);")]
    public void TokenEntryPoint_InputOfAnotherType_DoesNotCompile(string call)
    {
        var errors = Compile($$"""
                public static void Wrong(JobContext context, IJobStore store, JobTypeRegistry registry)
                {
                    {{call}}
                }
            }
            """);

        errors.Should().NotBeEmpty().And.OnlyContain(e => e.Id == "CS1503" || e.Id == "CS0411", "the input does not match the token's input type");
    }

    [Test]
    public void AddChild_PromiseOfAnotherType_DoesNotCompile()
    {
        var errors = Compile("""
                public static void Wrong(JobContext context)
                {
                    Promise<string> wrong = context.AddChild(Length.Type, "a");
                }
            }
            """);

        errors.Select(e => e.Id).Should().Equal("CS0029");
    }

    private static List<Diagnostic> Compile(string members)
    {
        var tree = CSharpSyntaxTree.ParseText(Jobs + members, new CSharpParseOptions(LanguageVersion.Preview));
        string[] platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var references = platform
            .Concat([typeof(JobType).Assembly.Location, typeof(IServiceCollection).Assembly.Location, typeof(ServiceCollection).Assembly.Location, typeof(JsonTypeInfo).Assembly.Location])
            .Distinct(StringComparer.Ordinal)
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create(
            "TokenInference",
            [tree],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        return [.. compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error)];
    }
}
