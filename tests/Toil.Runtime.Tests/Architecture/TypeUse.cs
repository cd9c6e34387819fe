namespace Toil.Runtime.Tests.Architecture;

/// <summary>One type of an assembly using another type of the same assembly, as <see cref="TypeUseScanner"/> found it.</summary>
/// <param name="FromType">The using type (full name; nested types count as their outermost type).</param>
/// <param name="FromNamespace">Its namespace.</param>
/// <param name="ToType">The used type.</param>
/// <param name="ToNamespace">Its namespace.</param>
/// <param name="Via">Where the use is: base type, field, method signature, attribute, method body, ...</param>
internal sealed record TypeUse(string FromType, string FromNamespace, string ToType, string ToNamespace, string Via)
{
    /// <inheritdoc />
    public override string ToString() => $"{FromType} uses {ToType} ({Via})";
}
