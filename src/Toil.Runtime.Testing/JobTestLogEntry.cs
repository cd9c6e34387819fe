using Microsoft.Extensions.Logging;

namespace Toil.Runtime.Testing;

/// <summary>An entry a job under test wrote to its worker log through <c>JobContext.Logger</c>.</summary>
/// <param name="Level">The entry's level.</param>
/// <param name="Message">The formatted message.</param>
/// <param name="Exception">The exception logged with it, if any.</param>
public sealed record JobTestLogEntry(LogLevel Level, string Message, Exception? Exception);
