using System.Globalization;
using Toil.Runtime.Reliability.Host;
using Toil.Runtime.Worker;

// worker JOBNAME LOCATOR JOBSTOREID  : the worker program (kill points from TOIL_CHAOS_* variables); worker --serve: a warm pool's worker
// leader STORE WORKDIR OUTFILE N     : runs or restarts the campaign's workflow (ChaosLeader)
// load CHAINS LENGTH                : the load run: CHAINS chains of LENGTH jobs, 4 worker processes at a time (LoadRun)
// pending [COUNT] [SECONDS] [MS] [SLOTS] : the leader holding COUNT pending jobs, sampled for SECONDS (PendingRun)
// chaos [--kills N] [--seed S] [--fan-out N] [--minutes M] [--dir D] [--startup P] [--body P] [--commit P] [--leader P] [--warm N] : the chaos campaign (docs/reliability.md)
switch (args)
{
    case ["worker", .. var rest]:
        ChaosPoints.StartWorker(serving: rest is [ToilWorkerEntryPoint.ServeOption]);
        return await ToilWorkerEntryPoint.RunAsync(rest, services => LoadJobs.Register(FaultJobs.Register(ChaosJobs.Register(services))));
    case ["leader", _, _, _, _]:
        return await ChaosLeader.RunAsync(args[1..]);
    case ["fault-leader", var store, var work, var effects, var count]: // FaultLeader: the permission test's leader, as another user
        return await FaultLeader.RunAsync(store, work, effects, int.Parse(count, CultureInfo.InvariantCulture));
    case ["chaos", .. var rest]:
    {
        var options = new ChaosCampaignOptions { TargetKills = 300, TimeBound = TimeSpan.FromHours(2), Progress = Console.Out };
        for (int i = 0; i + 1 < rest.Length; i += 2)
        {
            string value = rest[i + 1];
            switch (rest[i])
            {
                case "--kills": options.TargetKills = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--seed": options.Seed = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--fan-out": options.FanOut = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--minutes": options.TimeBound = TimeSpan.FromMinutes(double.Parse(value, CultureInfo.InvariantCulture)); break;
                case "--dir": options.Directory = value; break;
                case "--startup": options.StartupKill = double.Parse(value, CultureInfo.InvariantCulture); break;
                case "--body": options.BodyKill = double.Parse(value, CultureInfo.InvariantCulture); break;
                case "--commit": options.CommitKill = double.Parse(value, CultureInfo.InvariantCulture); break;
                case "--leader": options.LeaderKill = double.Parse(value, CultureInfo.InvariantCulture); break;
                case "--warm": options.WarmWorkers = int.Parse(value, CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"unknown option {rest[i]}"); return 2;
            }
        }

        var report = await new ChaosCampaign(options).RunAsync();
        Console.WriteLine(report);
        return report.Violations.Count == 0 ? 0 : 1;
    }

    case ["load", var chains, var length]:
    {
        var outcome = await LoadRun.RunAsync(int.Parse(chains, CultureInfo.InvariantCulture), int.Parse(length, CultureInfo.InvariantCulture), Path.GetTempPath(), TimeSpan.FromHours(1));
        Console.WriteLine(outcome);
        return outcome.Succeeded && outcome.Missing == 0 && outcome.RunTwice == 0 ? 0 : 1;
    }

    case ["pending", .. var rest]:
    {
        int Arg(int i, int fallback) => rest.Length > i ? int.Parse(rest[i], CultureInfo.InvariantCulture) : fallback;
        var outcome = await PendingRun.RunAsync(Arg(0, 100_000), milliseconds: Arg(2, 2), slots: Arg(3, 1), TimeSpan.FromSeconds(Arg(1, 60)), TimeSpan.FromSeconds(2), Console.Out);
        Console.WriteLine(outcome);
        return outcome.Holding is not null && outcome.CompletionsPerIntervalAfterHolding.All(n => n > 0) ? 0 : 1;
    }

    default:
        Console.Error.WriteLine("usage: worker JOBNAME LOCATOR JOBSTOREID | leader STORE WORKDIR OUTFILE N | load CHAINS LENGTH | pending [COUNT] [SECONDS] [MS] [SLOTS] | chaos [--kills N] [--seed S] [--fan-out N] [--minutes M] [--dir D] [--startup P] [--body P] [--commit P] [--leader P] [--warm N]");
        return 2;
}
