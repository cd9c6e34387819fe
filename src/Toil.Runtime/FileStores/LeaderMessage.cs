using Microsoft.Extensions.Logging;

namespace Toil.Runtime.FileStores;

/// <summary>A message a job sent to the leader's log.</summary>
/// <param name="Text">The message.</param>
/// <param name="Level">Its level.</param>
public sealed record LeaderMessage(string Text, LogLevel Level);
