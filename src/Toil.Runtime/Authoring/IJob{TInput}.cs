namespace Toil.Runtime.Authoring;

/// <summary>
/// A job that takes JSON input and returns nothing successors can consume. Register it with
/// <c>services.AddToilJob&lt;TJob, TInput&gt;(...)</c>; it is resolved from DI for every run, so it can take services.
/// </summary>
/// <typeparam name="TInput">The input type, serialised with the JSON type information given at registration.</typeparam>
public interface IJob<in TInput>
{
    /// <summary>Runs the job's body.</summary>
    /// <param name="input">The input the job was created with, with every <see cref="Promise{T}"/> in it resolved.</param>
    /// <param name="context">The running job's file store, logger, deferred functions and job graph.</param>
    /// <param name="cancellationToken">Cancels the job.</param>
    /// <returns>A task that completes when the body is done.</returns>
    ValueTask RunAsync(TInput input, JobContext context, CancellationToken cancellationToken);
}
