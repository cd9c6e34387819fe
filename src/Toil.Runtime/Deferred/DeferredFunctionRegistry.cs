using System.Text.Json.Serialization.Metadata;

namespace Toil.Runtime.Deferred;

/// <summary>
/// The deferred functions a host can run, each under a stable name with source-generated JSON type
/// information for its arguments. No reflection: only registered names can run, and a persisted call
/// to an unknown name is set aside, never executed.
/// </summary>
/// <remarks>
/// Register everything before the first manager opens; registration is not thread-safe, lookups are.
/// The same registry must be used by every process that may pick up another's orphans on a node.
/// </remarks>
/// <example>
/// <code>
/// var registry = new DeferredFunctionRegistry()
///     .Register("delete-file", MyJsonContext.Default.DeleteFileArgs,
///         (args, ct) => { File.Delete(args.Path); return ValueTask.CompletedTask; });
/// </code>
/// </example>
public sealed class DeferredFunctionRegistry
{
    /// <summary>The longest accepted function name.</summary>
    public const int MaxNameLength = 200;

    private readonly Dictionary<string, DeferredFunctionRegistration> _functions = new(StringComparer.Ordinal);

    /// <summary>Gets the registered names.</summary>
    public IReadOnlyCollection<string> Names => _functions.Keys;

    /// <summary>Registers a function whose instance is created per call from the worker's service provider.</summary>
    /// <typeparam name="TArgs">The arguments type.</typeparam>
    /// <param name="name">The stable name persisted with each call; non-empty, at most <see cref="MaxNameLength"/> characters, no control characters.</param>
    /// <param name="argumentsTypeInfo">Source-generated JSON type information for <typeparamref name="TArgs"/>.</param>
    /// <param name="factory">Creates the function; receives the service provider given to the manager (an empty one if none).</param>
    /// <returns>This registry, for chaining.</returns>
    /// <exception cref="ArgumentException">The name is invalid or already registered.</exception>
    public DeferredFunctionRegistry Register<TArgs>(string name, JsonTypeInfo<TArgs> argumentsTypeInfo, Func<IServiceProvider, IDeferredFunction<TArgs>> factory)
    {
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(argumentsTypeInfo);
        ArgumentNullException.ThrowIfNull(factory);
        if (!_functions.TryAdd(name, new DeferredFunctionRegistration<TArgs>(name, argumentsTypeInfo, factory)))
        {
            throw new ArgumentException($"a deferred function is already registered as '{name}'", nameof(name));
        }

        return this;
    }

    /// <summary>Registers a function given as a delegate.</summary>
    /// <typeparam name="TArgs">The arguments type.</typeparam>
    /// <param name="name">The stable name persisted with each call.</param>
    /// <param name="argumentsTypeInfo">Source-generated JSON type information for <typeparamref name="TArgs"/>.</param>
    /// <param name="function">The function.</param>
    /// <returns>This registry, for chaining.</returns>
    /// <exception cref="ArgumentException">The name is invalid or already registered.</exception>
    public DeferredFunctionRegistry Register<TArgs>(string name, JsonTypeInfo<TArgs> argumentsTypeInfo, Func<TArgs, CancellationToken, ValueTask> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        var instance = new DelegateDeferredFunction<TArgs>(function);
        return Register(name, argumentsTypeInfo, _ => instance);
    }

    /// <summary>Returns whether <paramref name="name"/> is registered.</summary>
    /// <param name="name">The function name.</param>
    /// <returns><see langword="true"/> if registered.</returns>
    public bool Contains(string name) => _functions.ContainsKey(name);

    internal bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DeferredFunctionRegistration? registration)
        => _functions.TryGetValue(name, out registration);

    internal static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Length > MaxNameLength || name.Any(char.IsControl))
        {
            throw new ArgumentException($"a deferred function name must be at most {MaxNameLength} characters without control characters", nameof(name));
        }
    }

    private sealed class DelegateDeferredFunction<TArgs>(Func<TArgs, CancellationToken, ValueTask> function) : IDeferredFunction<TArgs>
    {
        public ValueTask RunAsync(TArgs arguments, CancellationToken cancellationToken) => function(arguments, cancellationToken);
    }
}
