using System.Diagnostics;
using Toil.Runtime.Fuzz;
using Toil.Runtime.Fuzz.Targets;

// dotnet run -c Release --project tests/Toil.Runtime.Fuzz -- [--iterations N | --scale K] --parser all|NAME [--seed S] [--list]
long iterations = 0;
long scale = 1;
string parser = "all";
string? seed = null;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--iterations" when i + 1 < args.Length && long.TryParse(args[i + 1], out long n) && n > 0:
            iterations = n;
            i++;
            break;
        case "--scale" when i + 1 < args.Length && long.TryParse(args[i + 1], out long k) && k > 0:
            scale = k;
            i++;
            break;
        case "--parser" when i + 1 < args.Length:
            parser = args[++i];
            break;
        case "--seed" when i + 1 < args.Length:
            seed = args[++i];
            break;
        case "--list":
            foreach (FuzzTarget t in FuzzTargets.Create())
            {
                Console.WriteLine($"{t.Name,-20} CI {t.CiIterations,6}  {t.Property}");
            }

            return 0;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}'");
            Console.Error.WriteLine("usage: Toil.Runtime.Fuzz [--iterations N | --scale K] [--parser all|NAME] [--seed S] [--list]");
            Console.Error.WriteLine("  --iterations N  inputs per target; --scale K  K times each target's CI count (default 1)");
            return 2;
    }
}

IReadOnlyList<FuzzTarget> targets = parser == "all" ? FuzzTargets.Create() : [FuzzTargets.Get(parser)];
int failed = 0;
foreach (FuzzTarget target in targets)
{
    long count = iterations > 0 ? iterations : target.CiIterations * scale;
    var watch = Stopwatch.StartNew();
    try
    {
        target.Run(count, seed, _ => { });
        Console.WriteLine($"{target.Name,-20} {count,8} inputs  held   {watch.Elapsed.TotalSeconds,7:F1} s");
    }
#pragma warning disable CA1031 // The command reports every target's failure and goes on to the next.
    catch (Exception ex)
#pragma warning restore CA1031
    {
        failed++;
        Console.WriteLine($"{target.Name,-20} {count,8} inputs  FAILED {watch.Elapsed.TotalSeconds,7:F1} s");
        Console.WriteLine(ex.Message);
        for (Exception? inner = ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            Console.WriteLine($"  {inner.GetType().FullName}: {inner.Message}");
            Console.WriteLine(string.Join('\n', (inner.StackTrace ?? string.Empty).Split('\n').Take(6)));
        }
    }
}

return failed == 0 ? 0 : 1;
