namespace Toil.Runtime.FileStores;

/// <summary>A named user log stream a job sent to the leader.</summary>
/// <param name="Name">A dotted hierarchical name.</param>
/// <param name="Text">The text.</param>
public sealed record UserLogStream(string Name, string Text);
