namespace Toil.Runtime.Worker;

/// <summary>When the worker removes its temporary directory (Toil's <c>--cleanWorkDir</c>).</summary>
public enum CleanWorkDirPolicy
{
    /// <summary>Always remove it (the default).</summary>
    Always = 0,

    /// <summary>Remove it only when the attempt succeeded.</summary>
    OnSuccess,

    /// <summary>Remove it only when the attempt failed.</summary>
    OnError,

    /// <summary>Never remove it.</summary>
    Never,
}
