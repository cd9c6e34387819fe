namespace Toil.Runtime.Jobs;

internal static class Placeholder
{
}
