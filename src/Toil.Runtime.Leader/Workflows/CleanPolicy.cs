namespace Toil.Runtime.Leader.Workflows;

/// <summary>When the leader destroys the job store at the end of a run (Toil's <c>--clean</c>).</summary>
public enum CleanPolicy
{
    /// <summary>Destroy it when the workflow succeeded; keep it (for a restart) when it failed. The default.</summary>
    OnSuccess = 0,

    /// <summary>Always destroy it.</summary>
    Always,

    /// <summary>Destroy it only when the workflow failed.</summary>
    OnError,

    /// <summary>Never destroy it.</summary>
    Never,
}
