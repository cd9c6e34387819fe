using System.Reflection;
using BenchmarkDotNet.Running;
using Toil.Runtime.Benchmarks;

// "workload NAME [args]" runs a workload of the harness; anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "workload")
{
    var workloads = Assembly.GetExecutingAssembly().GetTypes()
        .Where(t => typeof(IWorkload).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
        .Select(t => (IWorkload)Activator.CreateInstance(t)!)
        .OrderBy(w => w.Name, StringComparer.Ordinal)
        .ToList();
    if (args.Length < 2)
    {
        Console.WriteLine("workloads:");
        workloads.ForEach(w => Console.WriteLine($"  {w.Name,-24} {w.Description}"));
        Console.WriteLine("  all                      every workload in turn");
        return 0;
    }

    int rc = 0;
    foreach (var w in workloads.Where(w => args[1] == "all" || w.Name == args[1]))
    {
        Console.WriteLine($"== {w.Name}: {w.Description}");
        rc |= await w.RunAsync(args[2..]);
    }

    return rc;
}

BenchmarkSwitcher.FromAssembly(typeof(IWorkload).Assembly).Run(args);
return 0;
