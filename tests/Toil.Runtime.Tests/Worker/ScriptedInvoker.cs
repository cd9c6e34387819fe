using System.Collections.Concurrent;
using Toil.Runtime.Authoring;

namespace Toil.Runtime.Tests.Worker;

/// <summary>An <see cref="IJobBodyInvoker"/> whose job types are test delegates, registered by name.</summary>
internal sealed class ScriptedInvoker : IJobBodyInvoker
{
    private readonly ConcurrentDictionary<string, Func<JobInvocation, CancellationToken, ValueTask<JobBodyOutcome>>> _bodies = new(StringComparer.Ordinal);

    /// <summary>Type names in the order their bodies ran.</summary>
    public ConcurrentQueue<string> Ran { get; } = new();

    public ScriptedInvoker On(string typeName, Func<JobInvocation, CancellationToken, ValueTask<JobBodyOutcome>> body)
    {
        _bodies[typeName] = body;
        return this;
    }

    public ScriptedInvoker On(string typeName, Func<JobInvocation, ValueTask> body) =>
        On(typeName, async (inv, _) =>
        {
            await body(inv);
            return new JobBodyOutcome();
        });

    public ScriptedInvoker Succeeds(params string[] typeNames)
    {
        foreach (var name in typeNames)
        {
            On(name, _ => ValueTask.CompletedTask);
        }

        return this;
    }

    public async ValueTask<JobBodyOutcome> InvokeAsync(JobInvocation invocation, CancellationToken cancellationToken = default)
    {
        var body = invocation.Job.GetBody();
        if (!_bodies.TryGetValue(body.TypeName, out var run))
        {
            throw new UnknownJobTypeException(body.TypeName, invocation.Job.JobStoreId);
        }

        Ran.Enqueue(body.TypeName);
        var outcome = await run(invocation, cancellationToken);
        invocation.Job.DetachBody();
        return outcome;
    }
}
