using System.Reflection;
using Toil.Runtime.TestHost;

if (args.Length == 0)
{
    Console.Error.WriteLine("usage: Toil.Runtime.TestHost <scenario> [args...]");
    return 2;
}

var scenarios = typeof(IHostScenario).Assembly.GetTypes()
    .Where(t => typeof(IHostScenario).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IHostScenario)Activator.CreateInstance(t)!)
    .ToDictionary(s => s.Name, StringComparer.Ordinal);

if (!scenarios.TryGetValue(args[0], out var scenario))
{
    Console.Error.WriteLine($"unknown scenario '{args[0]}'; known: {string.Join(", ", scenarios.Keys)}");
    return 2;
}

return await scenario.RunAsync(args[1..]);
