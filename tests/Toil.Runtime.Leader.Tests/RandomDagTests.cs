using Toil.Runtime.Jobs;
using Toil.Runtime.Leader.TestHost;

namespace Toil.Runtime.Leader.Tests;

/// <summary>
/// Randomly generated DAGs (fixed seeds) of children, follow-ons, several predecessors and promises: every job runs
/// after everything the graph says must precede it, exactly once when nothing fails, and its promises resolve to its
/// ancestors' values.
/// </summary>
[TestFixture]
public sealed class RandomDagTests
{
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(4)]
    [TestCase(5)]
    [TestCase(6)]
    [TestCase(7)]
    [TestCase(8)]
    public async Task RunWorkflowAsync_RandomDag_EveryJobOnceAfterItsPredecessors(int seed)
    {
        var (spec, precedes) = Generate(seed, "dag-" + seed + "-" + Guid.NewGuid().ToString("N"));
        await using var host = LeaderHost.Create();
        var result = await host.Runner.RunWorkflowAsync<DagBuildJob, DagSpec>(spec).WaitAsync(TimeSpan.FromSeconds(60));

        result.Succeeded.Should().BeTrue();
        var records = DagRecorder.Runs[spec.RunId].Records.ToList();
        records.Select(r => r.Index).Should().BeEquivalentTo(Enumerable.Range(0, spec.Nodes), "every job runs exactly once");
        Check(spec, precedes, records);
    }

    [TestCase(11)]
    [TestCase(12)]
    [TestCase(13)]
    public async Task RunWorkflowAsync_RandomDagUnderChaos_EveryJobAfterItsPredecessors(int seed)
    {
        var (spec, precedes) = Generate(seed, "chaos-" + seed + "-" + Guid.NewGuid().ToString("N"));
        await using var host = LeaderHost.Create(
            leader: o => o.Config = new WorkflowConfig { RetryCount = 50, RetryBackoffSeconds = 0 },
            worker: o => { o.BadWorker = 0.25; o.BadWorkerFailInterval = TimeSpan.FromMilliseconds(1); });
        var result = await host.Runner.RunWorkflowAsync<DagBuildJob, DagSpec>(spec).WaitAsync(TimeSpan.FromSeconds(60));

        result.Succeeded.Should().BeTrue();
        var records = DagRecorder.Runs[spec.RunId].Records.ToList();
        records.Select(r => r.Index).Distinct().Should().BeEquivalentTo(Enumerable.Range(0, spec.Nodes), "every job runs at least once");

        // A killed attempt may have run a body before its commit was lost: check order on each job's last (committed) run.
        var last = records.GroupBy(r => r.Index).Select(g => g.MaxBy(r => r.End)!).ToList();
        Check(spec, precedes, last);
    }

    private static void Check(DagSpec spec, bool[,] precedes, List<DagRecord> records)
    {
        var byIndex = records.ToDictionary(r => r.Index);
        for (int u = 0; u < spec.Nodes; u++)
        {
            for (int v = 0; v < spec.Nodes; v++)
            {
                if (precedes[u, v])
                {
                    byIndex[u].End.Should().BeLessThan(byIndex[v].Start, $"node {u} must finish before node {v} starts");
                }
            }
        }

        foreach (var record in records)
        {
            var expected = spec.Promises.Where(p => p[0] == record.Index).Select(p => p[1].ToString(System.Globalization.CultureInfo.InvariantCulture));
            record.Promised.Should().Equal(expected, $"node {record.Index}'s promises resolve to its ancestors' return values");
        }
    }

    /// <summary>
    /// Makes a DAG: node j &gt; 0 hangs under a random earlier node (child or follow-on), plus random extra edges kept only
    /// when the graph with Toil's implied edges (every job in an earlier phase's subtree precedes a later phase) stays
    /// acyclic; promises come from random earlier nodes that must precede the node.
    /// </summary>
    private static (DagSpec Spec, bool[,] Precedes) Generate(int seed, string runId)
    {
        var random = new Random(seed);
        int n = random.Next(4, 13);
        var children = new List<int[]>();
        var followOns = new List<int[]>();
        var linked = new HashSet<(int, int)>();
        for (int j = 1; j < n; j++)
        {
            int i = random.Next(0, j);
            (random.Next(2) == 0 ? children : followOns).Add([i, j]);
            linked.Add((i, j));
            if (Closure(n, children, followOns) is null)
            {
                // Undo: a follow-on under a node whose children's subtree already holds j would be a cycle; use a child edge.
                followOns.RemoveAll(e => e[0] == i && e[1] == j);
                children.RemoveAll(e => e[0] == i && e[1] == j);
                children.Add([i, j]);
            }
        }

        for (int extra = 0; extra < n; extra++)
        {
            int i = random.Next(0, n - 1);
            int j = random.Next(i + 1, n);
            if (!linked.Add((i, j)))
            {
                continue;
            }

            var list = random.Next(2) == 0 ? children : followOns;
            list.Add([i, j]);
            if (Closure(n, children, followOns) is null)
            {
                list.RemoveAt(list.Count - 1);
                linked.Remove((i, j));
            }
        }

        var precedes = Closure(n, children, followOns) ?? throw new InvalidOperationException("generated a cyclic graph");
        var promises = new List<int[]>();
        for (int j = 1; j < n; j++)
        {
            for (int i = 0; i < j; i++)
            {
                if (precedes[i, j] && random.Next(3) == 0)
                {
                    promises.Add([j, i]);
                }
            }
        }

        return (new DagSpec(runId, n, children, followOns, promises), precedes);
    }

    /// <summary>The transitive "must finish before" relation with implied edges, or null when it has a cycle.</summary>
    private static bool[,]? Closure(int n, List<int[]> children, List<int[]> followOns)
    {
        var edges = new bool[n, n];
        foreach (var e in children.Concat(followOns))
        {
            edges[e[0], e[1]] = true;
        }

        // Implied edges: everything reachable from a child of i precedes each follow-on of i.
        var reach = Transitive(n, edges);
        foreach (var f in followOns)
        {
            foreach (var c in children.Where(c => c[0] == f[0]))
            {
                edges[c[1], f[1]] = true;
                for (int d = 0; d < n; d++)
                {
                    if (reach[c[1], d])
                    {
                        edges[d, f[1]] = true;
                    }
                }
            }
        }

        var closure = Transitive(n, edges);
        for (int i = 0; i < n; i++)
        {
            if (closure[i, i])
            {
                return null;
            }
        }

        return closure;
    }

    private static bool[,] Transitive(int n, bool[,] edges)
    {
        var t = (bool[,])edges.Clone();
        for (int k = 0; k < n; k++)
        {
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    t[i, j] |= t[i, k] && t[k, j];
                }
            }
        }

        return t;
    }
}
