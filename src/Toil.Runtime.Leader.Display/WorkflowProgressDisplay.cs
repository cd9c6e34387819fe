using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;
using Toil.Runtime.Leader.Progress;
using Toil.Runtime.Leader.Workflows;
using Toil.Runtime.Logging;

namespace Toil.Runtime.Leader.Display;

/// <summary>
/// Shows a workflow run on a console: register it as an <see cref="IWorkflowObserver"/> and run the workflow through
/// <see cref="RunAsync{T}"/>. On a terminal it draws a live bar (done, running, queued, pending, failed) with the counts
/// and the last event; when the output is not a terminal it prints a plain line every
/// <see cref="WorkflowProgressDisplayOptions.PlainLineInterval"/>; at the end it prints the run summary as tables. It
/// keeps only the latest event (observer calls are cheap and never wait on the console). See <c>docs/progress.md</c>.
/// </summary>
public sealed class WorkflowProgressDisplay : IWorkflowObserver
{
    private readonly IAnsiConsole _console;
    private readonly WorkflowProgressDisplayOptions _options;
    private readonly Lock _lock = new();
    private WorkflowProgress _latest;
    private long _events;
    private WorkflowResult? _result;

    /// <summary>Creates a display on <paramref name="console"/>.</summary>
    /// <param name="console">Where it draws (<c>AnsiConsole.Console</c>, or a test console).</param>
    /// <param name="options">How it draws; defaults to <see cref="WorkflowProgressDisplayOptions"/>' defaults.</param>
    public WorkflowProgressDisplay(IAnsiConsole console, WorkflowProgressDisplayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(console);
        _console = console;
        _options = options ?? new WorkflowProgressDisplayOptions();
    }

    /// <summary>Gets the result of the last run that completed, once it has.</summary>
    public WorkflowResult? Result
    {
        get
        {
            lock (_lock)
            {
                return _result;
            }
        }
    }

    /// <summary>Gets whether the display draws live (the console is an interactive terminal that understands ANSI).</summary>
    public bool IsLive => _console.Profile.Capabilities.Interactive && _console.Profile.Capabilities.Ansi;

    /// <inheritdoc />
    public void OnProgress(in WorkflowProgress progress)
    {
        lock (_lock)
        {
            _latest = progress;
            _events++;
        }
    }

    /// <inheritdoc />
    public void OnCompleted(WorkflowResult result)
    {
        lock (_lock)
        {
            _result = result;
        }
    }

    /// <summary>
    /// Runs <paramref name="run"/> (a workflow run of the runner this display observes) while showing its progress,
    /// then prints the run summary (also when the run throws <see cref="FailedJobsException"/>).
    /// </summary>
    /// <typeparam name="T">What the run returns.</typeparam>
    /// <param name="run">Starts the run.</param>
    /// <param name="cancellationToken">Stops the display's waiting (the run itself is cancelled through its own token).</param>
    /// <returns>What the run returned.</returns>
    public async Task<T> RunAsync<T>(Func<Task<T>> run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        try
        {
            if (IsLive)
            {
                return await _console.Live(Render()).AutoClear(false).StartAsync(async context =>
                {
                    var task = run();
                    while (!task.IsCompleted)
                    {
                        await Task.WhenAny(task, Task.Delay(_options.RefreshInterval, _options.TimeProvider, cancellationToken)).ConfigureAwait(false);
                        context.UpdateTarget(Render());
                    }

                    context.UpdateTarget(Render());
                    return await task.ConfigureAwait(false);
                }).ConfigureAwait(false);
            }

            var plain = run();
            bool lines = _options.PlainLineInterval != Timeout.InfiniteTimeSpan && _options.PlainLineInterval > TimeSpan.Zero;
            while (!plain.IsCompleted)
            {
                await Task.WhenAny(plain, Task.Delay(lines ? _options.PlainLineInterval : Timeout.InfiniteTimeSpan, _options.TimeProvider, cancellationToken)).ConfigureAwait(false);
                if (!plain.IsCompleted && lines)
                {
                    // Straight to the writer: a plain line is never wrapped at the (guessed) console width.
                    _console.Profile.Out.Writer.WriteLine(PlainLine());
                }
            }

            return await plain.ConfigureAwait(false);
        }
        finally
        {
            if (_options.ShowSummary && Result is { } result)
            {
                WriteSummary(_console, result.Summary);
            }
        }
    }

    /// <summary>Prints <paramref name="summary"/> as tables: the counts and times, the slowest jobs, the job types, the failed jobs.</summary>
    /// <param name="console">Where to print.</param>
    /// <param name="summary">The run's summary.</param>
    public static void WriteSummary(IAnsiConsole console, RunSummary summary)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(summary);
        var c = CultureInfo.InvariantCulture;
        var counts = new Table().Title("Run summary").AddColumn("").AddColumn(new TableColumn("").RightAligned()).HideHeaders();
        counts.AddRow("jobs done", summary.JobsCompleted.ToString(c));
        counts.AddRow("chained jobs", summary.ChainedJobs.ToString(c));
        counts.AddRow("attempts", summary.AttemptsIssued.ToString(c));
        counts.AddRow("retries", summary.Retries.ToString(c));
        counts.AddRow("failed attempts", summary.FailedAttempts.ToString(c));
        counts.AddRow("failed for good", summary.Failures.Count == 0 ? "0" : $"[red]{summary.Failures.Count.ToString(c)}[/]");
        counts.AddRow("wall time", Duration(summary.WallTime));
        counts.AddRow("CPU (leader process)", Duration(summary.CpuTime));
        counts.AddRow("CPU (workers)", Duration(summary.WorkerCpuTime));
        counts.AddRow("file store written", Bytes(summary.BytesWritten));
        counts.AddRow("file store read", Bytes(summary.BytesRead));
        console.Write(counts);

        if (summary.SlowestJobs.Count > 0)
        {
            var slowest = new Table().Title("Slowest jobs").AddColumn("job").AddColumn("type").AddColumn(new TableColumn("wall").RightAligned()).AddColumn(new TableColumn("CPU").RightAligned());
            foreach (var job in summary.SlowestJobs)
            {
                slowest.AddRow(UserText(job.DisplayName), UserText(job.JobName), new Text(Duration(job.WallTime)), new Text(Duration(job.CpuTime)));
            }

            console.Write(slowest);
        }

        if (summary.JobTypes.Count > 0)
        {
            var types = new Table().Title("Job types").AddColumn("type").AddColumn(new TableColumn("bodies").RightAligned()).AddColumn(new TableColumn("total wall").RightAligned())
                .AddColumn(new TableColumn("longest").RightAligned()).AddColumn(new TableColumn("total CPU").RightAligned())
                .AddColumn(new TableColumn("written").RightAligned()).AddColumn(new TableColumn("read").RightAligned());
            foreach (var type in summary.JobTypes)
            {
                types.AddRow(UserText(type.JobName), new Text(type.Count.ToString(c)), new Text(Duration(type.TotalWallTime)), new Text(Duration(type.MaxWallTime)), new Text(Duration(type.TotalCpuTime)), new Text(Bytes(type.TotalBytesWritten)), new Text(Bytes(type.TotalBytesRead)));
            }

            console.Write(types);
        }

        if (summary.Failures.Count > 0)
        {
            var failed = new Table().Title("[red]Failed jobs[/]").AddColumn("job").AddColumn("ID").AddColumn("why").AddColumn("last exit");
            foreach (var job in summary.Failures)
            {
                failed.AddRow(UserText(job.DisplayName), UserText(job.JobStoreId), UserText(job.Reason), new Text(string.Create(c, $"{job.ExitCode} ({job.ExitReason})")));
            }

            console.Write(failed);
        }
    }

    /// <summary>The live view: a bar of the jobs by state, the counts, and the last event.</summary>
    internal IRenderable Render()
    {
        WorkflowProgress latest;
        long events;
        lock (_lock)
        {
            latest = _latest;
            events = _events;
        }

        var n = latest.Counts;
        var c = CultureInfo.InvariantCulture;
        int queued = Math.Max(0, n.Issued - n.Running);
        var chart = new BreakdownChart().Width(60).HideTags();
        double total = n.JobsDone + n.Running + queued + n.Pending + n.Failed;
        if (total == 0)
        {
            chart.AddItem("waiting", 1, Color.Grey);
        }
        else
        {
            chart.AddItem("done", n.JobsDone, Color.Green);
            chart.AddItem("running", n.Running, Color.DodgerBlue1);
            chart.AddItem("queued", queued, Color.Grey);
            chart.AddItem("pending", n.Pending, Color.Yellow);
            chart.AddItem("failed", n.Failed, Color.Red);
        }

        var counts = new Markup(string.Create(c,
            $"[green]done {n.Done}[/] (+{n.Chained} chained)  [dodgerblue1]running {n.Running}[/]  [grey]queued {queued}[/]  [yellow]pending {n.Pending}[/]  [red]failed {n.Failed}[/]  retries {n.Retries}"));
        IRenderable last = events == 0
            ? new Text("starting…")
            : new Text(string.Create(c, $"{Describe(latest.Kind)}: {TerminalText.EscapeLine(latest.DisplayName.Length > 0 ? latest.DisplayName : latest.JobName)}"), new Style(Color.Grey));
        return new Rows(chart, counts, last);
    }

    /// <summary>The line printed now and then when the output is not a terminal.</summary>
    internal string PlainLine()
    {
        WorkflowCounts n;
        lock (_lock)
        {
            n = _latest.Counts;
        }

        return string.Create(CultureInfo.InvariantCulture, $"progress: {n.Done} done (+{n.Chained} chained), {n.Running} running, {n.Issued} issued, {n.Pending} pending, {n.Failed} failed, {n.Retries} retries");
    }

    private static string Describe(WorkflowProgressKind kind) => kind switch
    {
        WorkflowProgressKind.Issued => "issued",
        WorkflowProgressKind.Running => "running",
        WorkflowProgressKind.Finished => "finished",
        WorkflowProgressKind.Failed => "attempt failed",
        WorkflowProgressKind.Retried => "retrying",
        WorkflowProgressKind.Chained => "chained",
        WorkflowProgressKind.FailedForGood => "failed for good",
        _ => kind.ToString(),
    };

    /// <summary>Job-chosen text: one line, control characters made visible, never read as markup.</summary>
    private static Text UserText(string text) => new(TerminalText.EscapeLine(text));

    private static string Bytes(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.0} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.00} GiB"),
    };

    private static string Duration(TimeSpan time) => time.TotalSeconds switch
    {
        < 1 => string.Create(CultureInfo.InvariantCulture, $"{time.TotalMilliseconds:0} ms"),
        < 60 => string.Create(CultureInfo.InvariantCulture, $"{time.TotalSeconds:0.00} s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{(long)time.TotalHours}:{time.Minutes:00}:{time.Seconds:00}"),
    };
}
