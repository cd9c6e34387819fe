namespace Toil.Runtime.Authoring;

/// <summary>
/// A job that takes JSON input and returns a value that successors consume as a <see cref="Promise{T}"/>. Register it
/// with <c>services.AddToilJob&lt;TJob, TInput, TOutput&gt;(...)</c>; it is resolved from DI for every run.
/// </summary>
/// <typeparam name="TInput">The input type, serialised with the JSON type information given at registration.</typeparam>
/// <typeparam name="TOutput">The return type, serialised with the JSON type information given at registration.</typeparam>
public interface IJob<in TInput, TOutput>
{
    /// <summary>Runs the job's body.</summary>
    /// <param name="input">The input the job was created with, with every <see cref="Promise{T}"/> in it resolved.</param>
    /// <param name="context">The running job's file store, logger, deferred functions and job graph.</param>
    /// <param name="cancellationToken">Cancels the job.</param>
    /// <returns>The value that fulfils the job's promises.</returns>
    ValueTask<TOutput> RunAsync(TInput input, JobContext context, CancellationToken cancellationToken);
}
