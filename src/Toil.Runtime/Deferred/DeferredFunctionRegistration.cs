using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Toil.Runtime.Deferred;

/// <summary>A registered name with what it takes to serialise its arguments and invoke it from JSON.</summary>
internal abstract class DeferredFunctionRegistration(string name)
{
    public string Name { get; } = name;

    public abstract Type ArgumentsType { get; }

    /// <summary>Reads the arguments and creates the function; throws <see cref="JsonException"/> on bad arguments.</summary>
    public abstract Func<CancellationToken, ValueTask> Bind(JsonElement arguments, IServiceProvider services);
}

/// <summary>The typed registration; <see cref="DeferredFunctionRegistry"/> creates it.</summary>
internal sealed class DeferredFunctionRegistration<TArgs>(
    string name,
    JsonTypeInfo<TArgs> typeInfo,
    Func<IServiceProvider, IDeferredFunction<TArgs>> factory) : DeferredFunctionRegistration(name)
{
    public override Type ArgumentsType => typeof(TArgs);

    public JsonElement Serialize(TArgs arguments) => JsonSerializer.SerializeToElement(arguments, typeInfo);

    public override Func<CancellationToken, ValueTask> Bind(JsonElement arguments, IServiceProvider services)
    {
        TArgs value = arguments.Deserialize(typeInfo)!;
        return cancellationToken =>
        {
            IDeferredFunction<TArgs> function = factory(services)
                ?? throw new InvalidOperationException($"the factory of deferred function '{Name}' returned null");
            return function.RunAsync(value, cancellationToken);
        };
    }
}
