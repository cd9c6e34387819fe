namespace Toil.Runtime.Executors.Mesos;

/// <summary>The Mesos agent sent something that does not follow the v1 executor HTTP API (for example a corrupt RecordIO frame).</summary>
public sealed class MesosProtocolException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="MesosProtocolException"/> class.</summary>
    public MesosProtocolException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="MesosProtocolException"/> class with a message.</summary>
    /// <param name="message">What was wrong.</param>
    public MesosProtocolException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="MesosProtocolException"/> class with a message and a cause.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The cause.</param>
    public MesosProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
