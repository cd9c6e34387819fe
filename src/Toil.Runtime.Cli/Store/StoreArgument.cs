using System.CommandLine;

namespace Toil.Runtime.Cli.Store;

/// <summary>The <c>STORE</c> argument of the operator commands.</summary>
internal static class StoreArgument
{
    /// <summary>Creates the argument.</summary>
    /// <returns>A required job store locator.</returns>
    public static Argument<string> Create() => new("STORE")
    {
        Description = "The job store: file:/path or a path.",
        Arity = ArgumentArity.ExactlyOne,
    };
}
