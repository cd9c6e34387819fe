using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Toil.Runtime.Tests.Architecture;

/// <summary>
/// Reads a compiled assembly's metadata and lists, for every type it defines, the other types of the same assembly it
/// uses: in its base type, interfaces, generic constraints, fields, method, property and event signatures, custom
/// attributes (constructor and <c>typeof</c> arguments), and method bodies (every type, method and field token of the
/// IL, local variables, catch clauses). Nested and compiler-generated types (closures, state machines) count as the
/// type that declares them. Because it reads what the compiler emitted, fully qualified names, <c>global using</c>s and
/// aliases cannot hide a use; XML doc <c>cref</c>s, which emit nothing, are not uses.
/// </summary>
internal static class TypeUseScanner
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>Scans the assembly file at <paramref name="path"/>.</summary>
    /// <param name="path">The assembly.</param>
    /// <returns>One entry per (using type, used type, how) found, the used type never the using one.</returns>
    public static IReadOnlyList<TypeUse> Scan(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var context = new ScanContext(reader, pe);
        foreach (var handle in reader.TypeDefinitions)
        {
            context.ScanType(handle);
        }

        return context.Uses;
    }

    private sealed class ScanContext(MetadataReader reader, PEReader pe)
    {
        private readonly HashSet<(string From, string To, string Via)> _seen = [];
        private readonly Dictionary<string, TypeDefinitionHandle> _byName = reader.TypeDefinitions.ToDictionary(h => SerializedName(reader, h), StringComparer.Ordinal);
        private readonly SignatureProvider _provider = new();
        private TypeDefinitionHandle _current;

        public List<TypeUse> Uses { get; } = [];

        public void ScanType(TypeDefinitionHandle handle)
        {
            _current = handle;
            var type = reader.GetTypeDefinition(handle);
            Add(type.BaseType, "base type");
            foreach (var i in type.GetInterfaceImplementations())
            {
                Add(reader.GetInterfaceImplementation(i).Interface, "interface");
            }

            Attributes(type.GetCustomAttributes());
            GenericParameters(type.GetGenericParameters());
            foreach (var f in type.GetFields())
            {
                var field = reader.GetFieldDefinition(f);
                Types(field.DecodeSignature(_provider, null), "field");
                Attributes(field.GetCustomAttributes());
            }

            foreach (var p in type.GetProperties())
            {
                var property = reader.GetPropertyDefinition(p);
                var signature = property.DecodeSignature(_provider, null);
                Types(signature.ReturnType, "property");
                signature.ParameterTypes.ToList().ForEach(t => Types(t, "property"));
                Attributes(property.GetCustomAttributes());
            }

            foreach (var e in type.GetEvents())
            {
                var ev = reader.GetEventDefinition(e);
                Add(ev.Type, "event");
                Attributes(ev.GetCustomAttributes());
            }

            foreach (var m in type.GetMethods())
            {
                var method = reader.GetMethodDefinition(m);
                MethodSignature(method.DecodeSignature(_provider, null), "method signature");
                Attributes(method.GetCustomAttributes());
                GenericParameters(method.GetGenericParameters());
                foreach (var p in method.GetParameters())
                {
                    Attributes(reader.GetParameter(p).GetCustomAttributes());
                }

                if (method.RelativeVirtualAddress != 0)
                {
                    Body(pe.GetMethodBody(method.RelativeVirtualAddress));
                }
            }

            foreach (var mi in type.GetMethodImplementations())
            {
                var impl = reader.GetMethodImplementation(mi);
                Add(impl.MethodDeclaration, "method body");
            }
        }

        private void GenericParameters(GenericParameterHandleCollection parameters)
        {
            foreach (var gp in parameters)
            {
                var parameter = reader.GetGenericParameter(gp);
                Attributes(parameter.GetCustomAttributes());
                foreach (var c in parameter.GetConstraints())
                {
                    Add(reader.GetGenericParameterConstraint(c).Type, "generic constraint");
                }
            }
        }

        private void Attributes(CustomAttributeHandleCollection attributes)
        {
            foreach (var a in attributes)
            {
                var attribute = reader.GetCustomAttribute(a);
                Add(attribute.Constructor, "attribute");
                var value = attribute.DecodeValue(new AttributeTypeProvider(reader, _byName));
                foreach (var argument in value.FixedArguments.Concat(value.NamedArguments.Select(n => new CustomAttributeTypedArgument<AttributeType>(n.Type, n.Value))))
                {
                    AttributeArgument(argument.Type, argument.Value);
                }
            }
        }

        private void AttributeArgument(AttributeType type, object? value)
        {
            Types(type.Local, "attribute");
            switch (value)
            {
                case AttributeType typeofArgument:
                    Types(typeofArgument.Local, "attribute");
                    break;
                case ImmutableArray<CustomAttributeTypedArgument<AttributeType>> array:
                    foreach (var element in array)
                    {
                        AttributeArgument(element.Type, element.Value);
                    }

                    break;
            }
        }

        private void Body(MethodBodyBlock body)
        {
            if (!body.LocalSignature.IsNil)
            {
                foreach (var local in reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(_provider, null))
                {
                    Types(local, "local variable");
                }
            }

            foreach (var region in body.ExceptionRegions)
            {
                if (!region.CatchType.IsNil)
                {
                    Add(region.CatchType, "catch");
                }
            }

            var il = body.GetILReader();
            while (il.RemainingBytes > 0)
            {
                short value = il.ReadByte();
                if (value == 0xFE)
                {
                    value = unchecked((short)(0xFE00 | il.ReadByte()));
                }

                var opCode = OpCodesByValue[value];
                switch (opCode.OperandType)
                {
                    case OperandType.InlineField:
                    case OperandType.InlineMethod:
                    case OperandType.InlineTok:
                    case OperandType.InlineType:
                    case OperandType.InlineSig:
                        Add(MetadataTokens.EntityHandle(il.ReadInt32()), "method body");
                        break;
                    case OperandType.InlineNone:
                        break;
                    case OperandType.ShortInlineBrTarget:
                    case OperandType.ShortInlineI:
                    case OperandType.ShortInlineVar:
                        il.Offset += 1;
                        break;
                    case OperandType.InlineVar:
                        il.Offset += 2;
                        break;
                    case OperandType.InlineI8:
                    case OperandType.InlineR:
                        il.Offset += 8;
                        break;
                    case OperandType.InlineSwitch:
                        // Not "Offset += 4 * ReadInt32()": that reads Offset before the count is read past.
                        int targets = il.ReadInt32();
                        il.Offset += 4 * targets;
                        break;
                    default:
                        il.Offset += 4;
                        break;
                }
            }
        }

        private void Add(EntityHandle handle, string via)
        {
            if (handle.IsNil)
            {
                return;
            }

            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition:
                    Found((TypeDefinitionHandle)handle, via);
                    break;
                case HandleKind.TypeSpecification:
                    Types(reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(_provider, null), via);
                    break;
                case HandleKind.MemberReference:
                    var member = reader.GetMemberReference((MemberReferenceHandle)handle);
                    Add(member.Parent, via);
                    if (member.GetKind() == MemberReferenceKind.Method)
                    {
                        MethodSignature(member.DecodeMethodSignature(_provider, null), via);
                    }
                    else
                    {
                        Types(member.DecodeFieldSignature(_provider, null), via);
                    }

                    break;
                case HandleKind.MethodDefinition:
                    var method = reader.GetMethodDefinition((MethodDefinitionHandle)handle);
                    Found(method.GetDeclaringType(), via);
                    MethodSignature(method.DecodeSignature(_provider, null), via);
                    break;
                case HandleKind.FieldDefinition:
                    var field = reader.GetFieldDefinition((FieldDefinitionHandle)handle);
                    Found(field.GetDeclaringType(), via);
                    Types(field.DecodeSignature(_provider, null), via);
                    break;
                case HandleKind.MethodSpecification:
                    var spec = reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                    Add(spec.Method, via);
                    foreach (var argument in spec.DecodeSignature(_provider, null))
                    {
                        Types(argument, via);
                    }

                    break;
                case HandleKind.StandaloneSignature:
                    var signature = reader.GetStandaloneSignature((StandaloneSignatureHandle)handle);
                    if (signature.GetKind() == StandaloneSignatureKind.Method)
                    {
                        MethodSignature(signature.DecodeMethodSignature(_provider, null), via);
                    }

                    break;
            }
        }

        private void MethodSignature(MethodSignature<ImmutableArray<TypeDefinitionHandle>> signature, string via)
        {
            Types(signature.ReturnType, via);
            foreach (var parameter in signature.ParameterTypes)
            {
                Types(parameter, via);
            }
        }

        private void Types(ImmutableArray<TypeDefinitionHandle> types, string via)
        {
            foreach (var t in types)
            {
                Found(t, via);
            }
        }

        private void Found(TypeDefinitionHandle used, string via)
        {
            var from = Outermost(_current);
            var to = Outermost(used);
            if (from == to)
            {
                return;
            }

            string fromName = SerializedName(reader, from);
            string toName = SerializedName(reader, to);
            if (_seen.Add((fromName, toName, via)))
            {
                Uses.Add(new TypeUse(fromName, reader.GetString(reader.GetTypeDefinition(from).Namespace), toName, reader.GetString(reader.GetTypeDefinition(to).Namespace), via));
            }
        }

        private TypeDefinitionHandle Outermost(TypeDefinitionHandle handle)
        {
            while (true)
            {
                var declaring = reader.GetTypeDefinition(handle).GetDeclaringType();
                if (declaring.IsNil)
                {
                    return handle;
                }

                handle = declaring;
            }
        }
    }

    private static string SerializedName(MetadataReader reader, TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        string name = reader.GetString(type.Name);
        var declaring = type.GetDeclaringType();
        if (!declaring.IsNil)
        {
            return SerializedName(reader, declaring) + "+" + name;
        }

        string ns = reader.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    /// <summary>Turns every signature into the list of this assembly's types it mentions.</summary>
    private sealed class SignatureProvider : ISignatureTypeProvider<ImmutableArray<TypeDefinitionHandle>, object?>
    {
        public ImmutableArray<TypeDefinitionHandle> GetArrayType(ImmutableArray<TypeDefinitionHandle> elementType, ArrayShape shape) => elementType;

        public ImmutableArray<TypeDefinitionHandle> GetByReferenceType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;

        public ImmutableArray<TypeDefinitionHandle> GetFunctionPointerType(MethodSignature<ImmutableArray<TypeDefinitionHandle>> signature) =>
            [.. signature.ReturnType, .. signature.ParameterTypes.SelectMany(p => p)];

        public ImmutableArray<TypeDefinitionHandle> GetGenericInstantiation(ImmutableArray<TypeDefinitionHandle> genericType, ImmutableArray<ImmutableArray<TypeDefinitionHandle>> typeArguments) =>
            [.. genericType, .. typeArguments.SelectMany(a => a)];

        public ImmutableArray<TypeDefinitionHandle> GetGenericMethodParameter(object? genericContext, int index) => [];

        public ImmutableArray<TypeDefinitionHandle> GetGenericTypeParameter(object? genericContext, int index) => [];

        public ImmutableArray<TypeDefinitionHandle> GetModifiedType(ImmutableArray<TypeDefinitionHandle> modifier, ImmutableArray<TypeDefinitionHandle> unmodifiedType, bool isRequired) =>
            [.. modifier, .. unmodifiedType];

        public ImmutableArray<TypeDefinitionHandle> GetPinnedType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;

        public ImmutableArray<TypeDefinitionHandle> GetPointerType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;

        public ImmutableArray<TypeDefinitionHandle> GetPrimitiveType(PrimitiveTypeCode typeCode) => [];

        public ImmutableArray<TypeDefinitionHandle> GetSZArrayType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;

        public ImmutableArray<TypeDefinitionHandle> GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => [handle];

        // Another assembly's type: not part of the layering inside this one.
        public ImmutableArray<TypeDefinitionHandle> GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => [];

        public ImmutableArray<TypeDefinitionHandle> GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
    }

    /// <summary>
    /// A type in an attribute blob: this assembly's types it names, and the assembly-qualified name when it is another
    /// assembly's (resolved only for the size of an enum argument).
    /// </summary>
    private readonly record struct AttributeType(ImmutableArray<TypeDefinitionHandle> Local, string? External);

    /// <summary>Decodes attribute blobs: <c>typeof</c> arguments come as serialized names, enums need their size.</summary>
    private sealed class AttributeTypeProvider(MetadataReader reader, Dictionary<string, TypeDefinitionHandle> byName) : ICustomAttributeTypeProvider<AttributeType>
    {
        private const string SystemType = "System.Type";

        public AttributeType GetPrimitiveType(PrimitiveTypeCode typeCode) => new([], null);

        public AttributeType GetSystemType() => new([], SystemType);

        public AttributeType GetSZArrayType(AttributeType elementType) => new(elementType.Local, null);

        public AttributeType GetTypeFromDefinition(MetadataReader metadataReader, TypeDefinitionHandle handle, byte rawTypeKind) => new([handle], null);

        public AttributeType GetTypeFromReference(MetadataReader metadataReader, TypeReferenceHandle handle, byte rawTypeKind) =>
            new([], AssemblyQualifiedName(handle));

        public AttributeType GetTypeFromSerializedName(string name)
        {
            // "Namespace.Outer+Inner[, Assembly...]": this assembly's types are named without an assembly (or with it).
            int comma = name.IndexOf(',', StringComparison.Ordinal);
            string typeName = (comma < 0 ? name : name[..comma]).Trim();
            return byName.TryGetValue(typeName, out var handle) ? new([handle], null) : new([], name);
        }

        public PrimitiveTypeCode GetUnderlyingEnumType(AttributeType type)
        {
            if (type.Local.Length == 1)
            {
                foreach (var f in reader.GetTypeDefinition(type.Local[0]).GetFields())
                {
                    var field = reader.GetFieldDefinition(f);
                    if ((field.Attributes & FieldAttributes.Static) == 0)
                    {
                        return field.DecodeSignature(new EnumFieldProvider(), null);
                    }
                }
            }

            var external = Type.GetType(type.External ?? throw new BadImageFormatException("An enum argument of an attribute of unknown type."), throwOnError: true)!;
            return Type.GetTypeCode(Enum.GetUnderlyingType(external)) switch
            {
                TypeCode.SByte => PrimitiveTypeCode.SByte,
                TypeCode.Byte => PrimitiveTypeCode.Byte,
                TypeCode.Int16 => PrimitiveTypeCode.Int16,
                TypeCode.UInt16 => PrimitiveTypeCode.UInt16,
                TypeCode.Int32 => PrimitiveTypeCode.Int32,
                TypeCode.UInt32 => PrimitiveTypeCode.UInt32,
                TypeCode.Int64 => PrimitiveTypeCode.Int64,
                TypeCode.UInt64 => PrimitiveTypeCode.UInt64,
                var code => throw new BadImageFormatException($"The enum {external} has an underlying type {code}."),
            };
        }

        public bool IsSystemType(AttributeType type) => type.External is { } name && (name == SystemType || name.StartsWith(SystemType + ",", StringComparison.Ordinal));

        private string AssemblyQualifiedName(TypeReferenceHandle handle)
        {
            var type = reader.GetTypeReference(handle);
            string name = reader.GetString(type.Name);
            string ns = reader.GetString(type.Namespace);
            return type.ResolutionScope.Kind switch
            {
                // A nested type: "Outer+Inner, Assembly".
                HandleKind.TypeReference => Nest(AssemblyQualifiedName((TypeReferenceHandle)type.ResolutionScope), name),
                HandleKind.AssemblyReference => $"{(ns.Length == 0 ? name : ns + "." + name)}, {reader.GetAssemblyReference((AssemblyReferenceHandle)type.ResolutionScope).GetAssemblyName().FullName}",
                _ => throw new BadImageFormatException($"Unexpected resolution scope of {ns}.{name}."),
            };
        }

        private static string Nest(string outer, string name)
        {
            int comma = outer.IndexOf(',', StringComparison.Ordinal);
            return outer[..comma] + "+" + name + outer[comma..];
        }
    }

    private sealed class EnumFieldProvider : ISignatureTypeProvider<PrimitiveTypeCode, object?>
    {
        public PrimitiveTypeCode GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode;

        public PrimitiveTypeCode GetArrayType(PrimitiveTypeCode elementType, ArrayShape shape) => throw new BadImageFormatException();

        public PrimitiveTypeCode GetByReferenceType(PrimitiveTypeCode elementType) => throw new BadImageFormatException();

        public PrimitiveTypeCode GetFunctionPointerType(MethodSignature<PrimitiveTypeCode> signature) => throw new BadImageFormatException();

        public PrimitiveTypeCode GetGenericInstantiation(PrimitiveTypeCode genericType, ImmutableArray<PrimitiveTypeCode> typeArguments) => throw new BadImageFormatException();

        public PrimitiveTypeCode GetGenericMethodParameter(object? genericContext, int index) => throw new BadImageFormatException();

        public PrimitiveTypeCode GetGenericTypeParameter(object? genericContext, int index) => throw new BadImageFormatException();

        public PrimitiveTypeCode GetModifiedType(PrimitiveTypeCode modifier, PrimitiveTypeCode unmodifiedType, bool isRequired) => unmodifiedType;

        public PrimitiveTypeCode GetPinnedType(PrimitiveTypeCode elementType) => throw new BadImageFormatException();

        public PrimitiveTypeCode GetPointerType(PrimitiveTypeCode elementType) => throw new BadImageFormatException();

        public PrimitiveTypeCode GetSZArrayType(PrimitiveTypeCode elementType) => throw new BadImageFormatException();

        public PrimitiveTypeCode GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => throw new BadImageFormatException();

        public PrimitiveTypeCode GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => throw new BadImageFormatException();

        public PrimitiveTypeCode GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) => throw new BadImageFormatException();
    }
}
