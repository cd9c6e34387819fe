namespace Toil.Runtime.Executors.Mesos;

/// <summary>How one subscription to the agent ended.</summary>
/// <param name="WasSubscribed">The agent accepted the subscription before the connection ended.</param>
/// <param name="Shutdown">The agent told the executor to shut down (or the executor is stopping): nothing to retry.</param>
/// <param name="Reason">Why the session ended, for the log.</param>
internal readonly record struct MesosSession(bool WasSubscribed, bool Shutdown, string Reason);
