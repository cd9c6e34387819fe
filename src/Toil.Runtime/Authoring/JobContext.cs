namespace Toil.Runtime.Authoring;

/// <summary>
/// What a running job touches: its file store, deferred functions, logger, description and requirements, and the job
/// graph it builds (children, follow-ons, checkpoint children). Created by the <see cref="IJobBodyInvoker"/>.
/// </summary>
public sealed partial class JobContext
{
}
