using Toil.Runtime.Executors.Contained;
using Toil.Runtime.Executors.Resources;

namespace Toil.Runtime.TestHost;

/// <summary>
/// Hosts the contained executor with a resource reader over a plain directory (a stand-in for a job store another
/// process can reach): <c>contained-executor &lt;directory&gt; &lt;payload&gt;</c>; a resource's file ID is a file
/// name in that directory.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ContainedExecutorScenario : IHostScenario
{
    /// <inheritdoc />
    public string Name => "contained-executor";

    /// <inheritdoc />
    public Task<int> RunAsync(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: contained-executor <resource-directory> <payload>");
            return Task.FromResult(2);
        }

        string directory = args[0];
        JobResourceReader reader = (resource, _) =>
        {
            if (Path.GetFileName(resource.FileId) != resource.FileId)
            {
                throw new ArgumentException($"file ID '{resource.FileId}' is not a plain name");
            }

            return ValueTask.FromResult<Stream>(File.OpenRead(Path.Combine(directory, resource.FileId)));
        };
        return ContainedExecutor.RunAsync(args[1..], new ContainedExecutorOptions { ResourceReader = reader });
    }
}
