using Microsoft.Extensions.DependencyInjection;

namespace Toil.Runtime.Authoring;

/// <summary>
/// Registers the job types of a job assembly (and the services they need) for hosts that load job assemblies at run
/// time: the <c>toil worker</c> tool loads each assembly named in <see cref="Jobs.WorkflowConfig.JobAssemblies"/>,
/// creates the module named by each of its <see cref="ToilJobModuleAttribute"/>s, and calls
/// <see cref="ConfigureServices"/> before it runs the job.
/// </summary>
/// <remarks>
/// The module is found through the assembly attribute, never by scanning the assembly's types. Hosts that register
/// their jobs in code (including NativeAOT hosts) do not need a module; they may still call one directly.
/// </remarks>
/// <example>
/// <code>
/// [assembly: ToilJobModule(typeof(MyJobs))]
///
/// public sealed class MyJobs : IToilJobModule
/// {
///     public void ConfigureServices(IServiceCollection services) =&gt; services.AddToilJob&lt;CountWords&gt;();
/// }
/// </code>
/// </example>
public interface IToilJobModule
{
    /// <summary>Adds the assembly's job types and their services to <paramref name="services"/>.</summary>
    /// <param name="services">The worker's service collection.</param>
    void ConfigureServices(IServiceCollection services);
}
