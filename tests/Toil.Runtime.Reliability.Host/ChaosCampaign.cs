using System.Diagnostics;
using System.Globalization;
using Toil.Runtime.Deferred;

namespace Toil.Runtime.Reliability.Host;

/// <summary>
/// The chaos campaign (docs/reliability.md, "Chaos campaign"): runs the campaign's workflow again and again, each with a
/// leader process (this program's <c>leader</c> command) on the local-process batch system and a fresh FileJobStore,
/// while worker processes kill themselves at their kill points (<see cref="ChaosPoints"/>) and the driver SIGKILLs
/// leaders after random delays; a killed or failed leader is started again on the same store until the workflow
/// finishes. Every finished workflow is then checked (<see cref="VerifyAsync"/>).
/// </summary>
public sealed class ChaosCampaign(ChaosCampaignOptions options)
{
    private readonly Random _random = new(options.Seed);

    /// <summary>Runs the campaign until <see cref="ChaosCampaignOptions.TargetKills"/> or the time bound.</summary>
    public async Task<ChaosReport> RunAsync(CancellationToken cancellationToken = default)
    {
        var report = new ChaosReport();
        var clock = Stopwatch.StartNew();
        string root = Directory.CreateTempSubdirectory("toil-chaos-").FullName;
        if (options.Directory != Path.GetTempPath())
        {
            Directory.Delete(root);
            root = Directory.CreateDirectory(Path.Combine(options.Directory, "toil-chaos-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        }

        int workflow = 0;
        while (report.TotalKills < options.TargetKills && clock.Elapsed < options.TimeBound)
        {
            cancellationToken.ThrowIfCancellationRequested();
            workflow++;
            string dir = Path.Combine(root, "wf-" + workflow.ToString("D4", CultureInfo.InvariantCulture));
            int before = report.Violations.Count;
            await RunWorkflowAsync(dir, report, cancellationToken);
            if (report.Violations.Count == before)
            {
                Directory.Delete(dir, recursive: true);
            }

            options.Progress?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"workflow {workflow}: kills so far {report.TotalKills}, violations {report.Violations.Count}, {clock.Elapsed:mm\\:ss}"));
        }

        report.Elapsed = clock.Elapsed;
        if (report.Violations.Count == 0)
        {
            Directory.Delete(root, recursive: true);
        }

        return report;
    }

    private async Task RunWorkflowAsync(string dir, ChaosReport report, CancellationToken cancellationToken)
    {
        string name = Path.GetFileName(dir);
        string store = Path.Combine(dir, "store");
        string work = Directory.CreateDirectory(Path.Combine(dir, "work")).FullName;
        string effects = Directory.CreateDirectory(Path.Combine(dir, "effects")).FullName;
        string outFile = Path.Combine(Directory.CreateDirectory(Path.Combine(dir, "out")).FullName, "result");
        var killedGenerations = new HashSet<int>();
        bool finished = false;
        int checkpointRestarts = 0;
        string lastFailure = "";
        int failedRunCheckpointRestarts = 0;
        for (int generation = 1; generation <= options.MaxGenerations && !finished; generation++)
        {
            report.LeaderRuns++;
            using var leader = StartLeader(store, work, outFile, effects, generation);
            var stdout = leader.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = leader.StandardError.ReadToEndAsync(cancellationToken);
            bool kill = _random.NextDouble() < options.LeaderKill || (options.KillFirstLeader && report.LeaderRuns == 1);
            var bound = kill ? TimeSpan.FromMilliseconds(200 + (_random.NextDouble() * (options.LeaderDelayMs - 200))) : options.LeaderBound;
            var exited = leader.WaitForExitAsync(cancellationToken);
            string leaderLog = Path.Combine(dir, $"leader-g{generation.ToString(CultureInfo.InvariantCulture)}.log");
            if (await Task.WhenAny(exited, Task.Delay(bound, cancellationToken)) != exited)
            {
                if (!kill)
                {
                    // Evidence for the hang, kept with the workflow's directory: what runs under the leader, then its log.
                    await File.WriteAllTextAsync(Path.Combine(dir, $"hang-g{generation.ToString(CultureInfo.InvariantCulture)}.txt"), ChaosDiagnostics.ProcessTree(leader.Id), cancellationToken);
                }

                leader.Kill(); // SIGKILL, the leader only: its workers carry on as orphans.
                await leader.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
                await ChaosDiagnostics.SaveAsync(stderr, leaderLog, cancellationToken);
                if (!kill)
                {
                    report.Violations.Add($"{name}: leader generation {generation} did not finish within {options.LeaderBound} (hung); killed (see {Path.GetFileName(leaderLog)})");
                }

                killedGenerations.Add(generation);
                report.CountKill("leader");
                report.TotalKills++;
                continue;
            }

            string output = await stdout;
            string error = await stderr;
            await File.WriteAllTextAsync(leaderLog, error, cancellationToken);
            switch (leader.ExitCode)
            {
                case 0:
                    finished = true;
                    checkpointRestarts = ParseField(output, "checkpointRestarts");
                    break;
                case ChaosLeader.FailedJobsExitCode:
                    report.FailedRunsRestarted++;
                    lastFailure = error;
                    failedRunCheckpointRestarts += ParseField(output, "checkpointRestarts");
                    break;
                default:
                    report.Violations.Add($"{name}: leader generation {generation} exited {leader.ExitCode}: {Tail(error)}");
                    break;
            }
        }

        // Kills of workers, whatever the leader did.
        var kills = ReadLines(Path.Combine(effects, ChaosPoints.KillLog)).Select(l => l.Split(' ')).ToList();
        foreach (string[] k in kills)
        {
            report.CountKill($"worker {k[1]} ({k[2]})");
            report.TotalKills++;
        }

        if (!finished)
        {
            // The last failed run's log says which job kept failing and why (CI keeps nothing else of the run).
            report.Violations.Add($"{name}: did not finish in {options.MaxGenerations} leader runs; the last failed run's log ends: {Tail(lastFailure)}");
            return;
        }

        report.WorkflowsCompleted++;
        report.CheckpointRestarts += checkpointRestarts;
        await VerifyAsync(name, store, work, effects, outFile, killedGenerations, kills.Select(k => int.Parse(k[3], CultureInfo.InvariantCulture)).ToHashSet(), checkpointRestarts + failedRunCheckpointRestarts, report, cancellationToken);
    }

    /// <summary>The checks of one finished workflow (docs/reliability.md, "What is checked").</summary>
    private async Task VerifyAsync(
        string name, string store, string work, string effects, string outFile, HashSet<int> killedGenerations, HashSet<int> killedPids, int checkpointRestarts, ChaosReport report, CancellationToken cancellationToken)
    {
        void Fail(string what) => report.Violations.Add($"{name}: {what}");

        int violationsBefore = report.Violations.Count;

        // The workers: wait for orphans of killed leaders (bounded), then count them.
        var pidLog = ReadLines(Path.Combine(effects, ChaosPoints.PidLog)).Select(l => l.Split(' ')).ToList();
        var workers = pidLog.Select(l => int.Parse(l[0], CultureInfo.InvariantCulture)).ToList();
        report.WorkerProcesses += workers.Count;
        report.ServingWorkerProcesses += pidLog.Count(l => l is [_, _, ChaosPoints.ServingMode]);
        bool lateOrphans = workers.Any(IsAlive);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (workers.Any(IsAlive) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, cancellationToken);
        }

        if (workers.Where(IsAlive).ToList() is { Count: > 0 } alive)
        {
            Fail($"worker processes {string.Join(',', alive)} still alive 60 s after the workflow finished");
        }

        // Exactly the right output.
        string expected = ChaosJobs.ExpectedOutput(options.FanOut);
        string actual = File.Exists(outFile) ? await File.ReadAllTextAsync(outFile, cancellationToken) : "(none)";
        if (actual != expected)
        {
            Fail($"output '{actual}', expected '{expected}'");
        }

        // Every job ended with a successful body; a body ran successfully more than once only where a kill explains it.
        foreach (string key in ChaosJobs.RequiredKeys(options.FanOut))
        {
            var runs = ReadLines(Path.Combine(effects, key + ".runs")).Select(l => l.Split(' ')).ToList();
            var ok = runs.Where(r => r[0] == "ok").Select(r => (Pid: int.Parse(r[1], CultureInfo.InvariantCulture), Gen: int.Parse(r[2], CultureInfo.InvariantCulture))).ToList();
            if (ok.Count == 0)
            {
                Fail($"{key} never ran to its end");
                continue;
            }

            int unexplained = ok.Count(r => !killedPids.Contains(r.Pid) && !killedGenerations.Contains(r.Gen));
            // The checkpoint reruns once because its first child fails, and once more each time a leader restarted it
            // again: in its run (its good child used up its tries to kills) or at its start, by the restart clean-up (the
            // checkpoint itself had no try left, so the run before failed). The restarts the leaders that ended reported.
            int allowed = key == "checkpoint" ? 1 + Math.Max(1, checkpointRestarts) : 1;
            if (unexplained > allowed)
            {
                Fail($"{key} ran successfully {ok.Count} times, {unexplained} of them in processes no kill explains ({string.Join(',', ok.Select(r => $"{r.Pid}/g{r.Gen}"))})");
            }

            report.RepeatsExplainedByKills += Math.Max(0, ok.Count - Math.Max(1, unexplained));
        }

        // Every deferred function ran at least once: each body deferred its marker before logging "start".
        foreach (string runsFile in Directory.EnumerateFiles(effects, "*.runs"))
        {
            string key = Path.GetFileNameWithoutExtension(runsFile);
            var started = ReadLines(runsFile).Select(l => l.Split(' ')).Where(r => r[0] == "start").Select(r => r[1]).ToHashSet(StringComparer.Ordinal);
            var marked = ReadLines(Path.Combine(effects, key + ".deferred")).ToList();
            report.DeferredRuns += marked.Count;
            if (started.Except(marked, StringComparer.Ordinal).ToList() is { Count: > 0 } missing)
            {
                Fail($"{key}: the deferred function of process(es) {string.Join(',', missing)} never ran");
            }
        }

        // Nothing left of the store but its skeleton.
        CheckEmpty(Path.Combine(store, "jobs"), "job record or job directory", Fail);
        CheckEmpty(Path.Combine(store, "job-files"), "job-owned file", Fail);
        CheckEmpty(Path.Combine(store, "files-flat"), "unowned file", Fail);
        CheckEmpty(Path.Combine(store, "stats", "inbox"), "undelivered stats message", Fail);
        if (Directory.Exists(Path.Combine(store, "tmp")) && Directory.EnumerateFileSystemEntries(Path.Combine(store, "tmp"), "trash-*").Any())
        {
            Fail("trash directory left in the store's tmp/");
        }

        if (Directory.Exists(store) && Directory.EnumerateFiles(store, "*.tmp", SearchOption.AllDirectories).ToList() is { Count: > 0 } temps)
        {
            Fail($"temp file(s) left in the store: {string.Join(", ", temps.Select(t => Path.GetRelativePath(store, t)).Take(5))}");
        }

        // Nothing left in the work directory: no worker directory, no deferred-function state. A worker orphaned by a
        // killed leader that outlived the last leader leaves its state to the next worker on the node: run that clean-up.
        if (lateOrphans)
        {
            report.LateOrphanWorkflows++;
            foreach (string coordination in Directory.EnumerateDirectories(work, "toilwf-*"))
            {
                await DeferredFunctionManager.CleanupAsync(
                    new DeferredFunctionManagerOptions { CoordinationDirectory = coordination }, ChaosJobs.CreateDeferredFunctions(), cancellationToken: cancellationToken);
            }
        }

        if (lateOrphans)
        {
            // A late orphan that was itself killed leaves its directory to the next clean-up on the node: count, then do it.
            foreach (string killed in Directory.EnumerateDirectories(work, "worker-*", SearchOption.AllDirectories).Where(d => File.Exists(Path.Combine(d, "worker.alive"))))
            {
                report.LateOrphanDirectories++;
                Directory.Delete(killed, recursive: true);
            }

            foreach (string node in Directory.EnumerateDirectories(work, "toilwf-*"))
            {
                foreach (string sub in new[] { Path.Combine(node, "deferred"), node })
                {
                    if (Directory.Exists(sub) && !Directory.EnumerateFileSystemEntries(sub).Any())
                    {
                        Directory.Delete(sub);
                    }
                }
            }
        }

        // A killed leader's local-process output directory (toil-local-process-*) is the leader's, not a worker's: no later
        // leader knows its name. Counted (docs/reliability.md, "What is left"), removed when empty.
        if (killedGenerations.Count > 0)
        {
            foreach (string output in Directory.EnumerateDirectories(work, "toil-local-process-*"))
            {
                if (!Directory.EnumerateFileSystemEntries(output).Any())
                {
                    report.KilledLeaderOutputDirectories++;
                    Directory.Delete(output);
                }
            }
        }

        var left = Directory.EnumerateFileSystemEntries(work, "*", SearchOption.AllDirectories).Select(e => Path.GetRelativePath(work, e)).ToList();
        if (left.Count > 0)
        {
            Fail($"{left.Count} entr(ies) left in the work directory{(lateOrphans ? " (after a late orphan)" : string.Empty)}: {string.Join(", ", left.Take(6))}");
        }

        if (report.Violations.Count == violationsBefore && File.Exists(Path.Combine(store, "format.json")))
        {
            await Toil.Runtime.JobStores.FileJobStore.DestroyAsync("file:" + store, cancellationToken);
        }
    }

    private static void CheckEmpty(string directory, string what, Action<string> fail)
    {
        // The per-kind parents (kind-<slug>) are shared by every job of a kind and stay by design (docs/job-store-format.md).
        if (Directory.Exists(directory)
            && Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories)
                .Where(e => !(Path.GetFileName(e).StartsWith("kind-", StringComparison.Ordinal) && Path.GetDirectoryName(e) == directory && Directory.Exists(e) && !Directory.EnumerateFileSystemEntries(e).Any()))
                .ToList() is { Count: > 0 } entries)
        {
            fail($"{what} left: {string.Join(", ", entries.Take(4))}");
        }
    }

    private Process StartLeader(string store, string work, string outFile, string effects, int generation)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { typeof(ChaosCampaign).Assembly.Location, "leader", store, work, outFile, options.FanOut.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment[ChaosPoints.EffectsVariable] = effects;
        start.Environment[ChaosPoints.GenerationVariable] = generation.ToString(CultureInfo.InvariantCulture);
        start.Environment[ChaosPoints.StartupKillVariable] = options.StartupKill.ToString(CultureInfo.InvariantCulture);
        start.Environment[ChaosPoints.StartupDelayVariable] = options.StartupDelayMs.ToString(CultureInfo.InvariantCulture);
        start.Environment[ChaosPoints.BodyKillVariable] = options.BodyKill.ToString(CultureInfo.InvariantCulture);
        start.Environment[ChaosPoints.CommitKillVariable] = options.CommitKill.ToString(CultureInfo.InvariantCulture);
        start.Environment[ChaosPoints.CommitDelayVariable] = options.CommitDelayMs.ToString(CultureInfo.InvariantCulture);
        start.Environment[ChaosPoints.WarmWorkersVariable] = options.WarmWorkers.ToString(CultureInfo.InvariantCulture);
        return Process.Start(start)!;
    }

    /// <summary>Whether a process runs (a zombie, an orphan nobody reaped, counts as ended).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            int close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length && stat[close + 2] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static IEnumerable<string> ReadLines(string path) => File.Exists(path) ? File.ReadAllLines(path).Where(l => l.Length > 0) : [];

    private static int ParseField(string output, string field)
    {
        int at = output.IndexOf(field + "=", StringComparison.Ordinal);
        if (at < 0)
        {
            return 0;
        }

        string rest = output[(at + field.Length + 1)..];
        return int.Parse(new string(rest.TakeWhile(char.IsDigit).ToArray()), CultureInfo.InvariantCulture);
    }

    private static string Tail(string text) => text.Length > 600 ? text[^600..] : text;
}
