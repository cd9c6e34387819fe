namespace Toil.Runtime.Authoring;

/// <summary>
/// Gives a job class its stable type name, the name persisted in job bodies. Without it (and without an explicit name
/// at registration) the class's full name is used, which changes when the class is renamed or moved.
/// </summary>
/// <param name="name">The stable name.</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ToilJobAttribute(string name) : Attribute
{
    /// <summary>Gets the stable name.</summary>
    public string Name { get; } = name;
}
