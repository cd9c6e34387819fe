namespace Toil.Runtime.Tests.Architecture;

/// <summary>
/// One floor of <c>docs/architecture.md</c>'s picture: a feature folder and the namespaces its types are in
/// (sub-namespaces belong to it too).
/// </summary>
internal sealed class Layer
{
    /// <summary>Creates a layer.</summary>
    /// <param name="name">The folder's name, as the page writes it.</param>
    /// <param name="floor">Ground floor 0; a layer may use only lower floors.</param>
    /// <param name="namespaces">The namespaces of its types.</param>
    /// <param name="apart">
    /// A layer that stands apart (IO, Logging, Stats): it uses no other layer, and any layer from
    /// <paramref name="floor"/> up may use it.
    /// </param>
    public Layer(string name, int floor, string[] namespaces, bool apart = false)
    {
        Name = name;
        Floor = floor;
        Namespaces = namespaces;
        Apart = apart;
    }

    /// <summary>The folder's name.</summary>
    public string Name { get; }

    /// <summary>Ground floor 0.</summary>
    public int Floor { get; }

    /// <summary>The namespaces of its types.</summary>
    public IReadOnlyList<string> Namespaces { get; }

    /// <summary>Whether it stands apart.</summary>
    public bool Apart { get; }

    /// <summary>How closely <paramref name="ns"/> matches this layer: the length of the matching namespace, or -1.</summary>
    /// <param name="ns">A namespace.</param>
    /// <returns>The length of the longest of this layer's namespaces that is <paramref name="ns"/> or a parent of it; -1 if none.</returns>
    public int Match(string ns) =>
        Namespaces.Where(n => ns == n || ns.StartsWith(n + ".", StringComparison.Ordinal)).Select(n => n.Length).DefaultIfEmpty(-1).Max();

    /// <summary>Whether a type of this layer may use a type of <paramref name="other"/>.</summary>
    /// <param name="other">The used type's layer.</param>
    /// <returns>Whether the use points down (or stays inside the layer).</returns>
    public bool MayUse(Layer other) =>
        ReferenceEquals(other, this)
        || (!Apart && (other.Apart ? Floor >= other.Floor : other.Floor < Floor));

    /// <inheritdoc />
    public override string ToString() => Name;
}
