using System.Diagnostics.CodeAnalysis;

namespace Toil.Runtime.Authoring;

/// <summary>
/// Names the <see cref="IToilJobModule"/> of a job assembly, so that a host loading the assembly at run time (the
/// <c>toil worker</c> tool) can register its job types without scanning it. An assembly may carry several.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class ToilJobModuleAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="moduleType">A public class implementing <see cref="IToilJobModule"/> with a public parameterless constructor.</param>
    public ToilJobModuleAttribute([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] Type moduleType)
    {
        ArgumentNullException.ThrowIfNull(moduleType);
        ModuleType = moduleType;
    }

    /// <summary>The module type.</summary>
    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)]
    public Type ModuleType { get; }
}
