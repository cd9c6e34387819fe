namespace Toil.Runtime.Authoring;

/// <summary>
/// A job class that describes its own registration, so a host can register it with <c>services.AddToilJob&lt;TJob&gt;()</c>
/// alone. No reflection is involved: the registration names the JSON type information explicitly.
/// </summary>
/// <example>
/// <code>
/// public sealed class CountWords : IJob&lt;CountInput, int&gt;, IToilJobType
/// {
///     public static JobTypeRegistration Registration { get; } =
///         JobTypeRegistration.Create&lt;CountWords, CountInput, int&gt;(MyJson.Default.CountInput, MyJson.Default.Int32, "count-words");
///     // RunAsync ...
/// }
/// </code>
/// </example>
public interface IToilJobType
{
    /// <summary>Gets the job type's registration (name and JSON type information).</summary>
    static abstract JobTypeRegistration Registration { get; }
}
