namespace Toil.Runtime.Authoring;

/// <summary>
/// A job class that describes its own registration, so a host can register it with <c>services.AddToilJob&lt;TJob&gt;()</c>
/// alone. No reflection is involved: the registration names the JSON type information explicitly.
/// </summary>
/// <remarks>
/// A class with a <see cref="JobType{TJob, TInput, TOutput}"/> token (the form <c>docs/authoring.md</c> recommends) needs
/// no <see cref="IToilJobType"/>: <c>services.AddToilJob(CountWords.Type)</c> registers it. Implement this interface to
/// keep <c>services.AddToilJob&lt;CountWords&gt;()</c> working, by returning the token.
/// </remarks>
/// <example>
/// <code>
/// public sealed class CountWords : IJob&lt;CountInput, int&gt;, IToilJobType
/// {
///     public static JobType&lt;CountWords, CountInput, int&gt; Type { get; } =
///         JobType.Create&lt;CountWords, CountInput, int&gt;(MyJson.Default.CountInput, MyJson.Default.Int32, "count-words");
///
///     static JobTypeRegistration IToilJobType.Registration => Type;
///     // RunAsync ...
/// }
/// </code>
/// </example>
public interface IToilJobType
{
    /// <summary>Gets the job type's registration (name and JSON type information).</summary>
    static abstract JobTypeRegistration Registration { get; }
}
