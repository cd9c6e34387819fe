using System.Reflection;
using System.Runtime.Loader;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Authoring;

namespace Toil.Runtime.Cli;

/// <summary>
/// Loads the job assemblies named in <see cref="Jobs.WorkflowConfig.JobAssemblies"/> (JIT only) and registers the
/// job types of the <see cref="IToilJobModule"/>s their <see cref="ToilJobModuleAttribute"/>s name.
/// </summary>
internal static class JobAssemblyLoader
{
    /// <summary>Loads each assembly and lets its modules configure <paramref name="services"/>.</summary>
    /// <param name="paths">Assembly paths; relative ones are taken from the current directory.</param>
    /// <param name="services">The worker's services.</param>
    /// <exception cref="JobAssemblyException">An assembly is missing, cannot be loaded, or names no valid module.</exception>
    public static void Register(IReadOnlyList<string> paths, IServiceCollection services)
    {
        foreach (string path in paths)
        {
            var assembly = Load(Path.GetFullPath(path));
            var modules = assembly.GetCustomAttributes<ToilJobModuleAttribute>().ToList();
            if (modules.Count == 0)
            {
                throw new JobAssemblyException(path, $"it has no [assembly: {nameof(ToilJobModuleAttribute)}(typeof(...))] naming its {nameof(IToilJobModule)}");
            }

            foreach (var attribute in modules)
            {
                if (!typeof(IToilJobModule).IsAssignableFrom(attribute.ModuleType) || attribute.ModuleType.IsAbstract)
                {
                    throw new JobAssemblyException(path, $"its module type '{attribute.ModuleType.FullName}' is not a concrete {nameof(IToilJobModule)}");
                }

                IToilJobModule module;
                try
                {
                    module = (IToilJobModule)Activator.CreateInstance(attribute.ModuleType)!;
                }
                catch (Exception e) when (e is MissingMethodException or TargetInvocationException or MemberAccessException)
                {
                    throw new JobAssemblyException(path, $"its module type '{attribute.ModuleType.FullName}' could not be created ({e.Message}); it needs a public parameterless constructor", e);
                }

                module.ConfigureServices(services);
            }
        }
    }

    /// <summary>Assemblies loaded so far, by full path: a serving worker registers the same ones for every job.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Assembly> Loaded = new(StringComparer.Ordinal);

    private static Assembly Load(string path)
    {
        if (Loaded.TryGetValue(path, out var loaded))
        {
            return loaded;
        }

        var assembly = LoadOnce(path);
        Loaded.TryAdd(path, assembly);
        return assembly;
    }

    private static Assembly LoadOnce(string path)
    {
        if (!File.Exists(path))
        {
            throw new JobAssemblyException(path, "the file does not exist");
        }

        // The job assembly's own dependencies (its .deps.json, or files beside it) resolve from its directory; the
        // Toil.Runtime assemblies the tool already loaded are shared, so the job types see the same contracts.
        var resolver = new AssemblyDependencyResolver(path);
        AssemblyLoadContext.Default.Resolving += (context, name) =>
            resolver.ResolveAssemblyToPath(name) is { } dependency ? context.LoadFromAssemblyPath(dependency) : null;
        try
        {
            return AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException)
        {
            throw new JobAssemblyException(path, $"it could not be loaded ({e.Message})", e);
        }
    }
}
