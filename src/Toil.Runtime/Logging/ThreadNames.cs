using System.Globalization;

namespace Toil.Runtime.Logging;

/// <summary>The name a record gives its thread: the thread's own name, else Python-like <c>MainThread</c> / <c>Thread-N</c>.</summary>
internal static class ThreadNames
{
    public static string Current()
    {
        int id = Environment.CurrentManagedThreadId;
        return Thread.CurrentThread.Name ?? (id == 1 ? "MainThread" : "Thread-" + id.ToString(CultureInfo.InvariantCulture));
    }
}
