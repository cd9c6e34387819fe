using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Toil.Runtime.Slurm;

/// <summary>What one Slurm command printed.</summary>
/// <param name="ExitCode">Its exit code.</param>
/// <param name="StandardOutput">Its standard output.</param>
/// <param name="StandardError">Its standard error.</param>
internal sealed record SlurmCommandResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>
/// Runs Slurm's commands with a time bound each, retrying transient failures (a timeout, an unreachable or busy
/// controller) with exponential back-off through a Polly pipeline; anything else, or a failure that outlives the
/// retries, is a <see cref="SlurmCommandException"/>.
/// </summary>
internal sealed class SlurmCommandRunner
{
    private static readonly string[] TransientMarkers =
    [
        "Socket timed out", "timed out", "temporarily unavailable", "Unable to contact slurm controller", "Connection refused",
        "Zero Bytes were transmitted", "try again", "Slurm backup controller in standby mode", "Communication connection failure",
        "Transport endpoint is not connected", "slurmctld not responding",
    ];

    private readonly SlurmBatchSystemOptions _options;
    private readonly ResiliencePipeline _pipeline;
    private readonly ILogger _log;

    public SlurmCommandRunner(SlurmBatchSystemOptions options, ILogger log)
    {
        _options = options;
        _log = log;
        var builder = new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider };
        if (options.MaxCommandRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<TransientSlurmFailure>(),
                MaxRetryAttempts = options.MaxCommandRetries,
                Delay = options.CommandRetryDelay,
                MaxDelay = TimeSpan.FromSeconds(30),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args =>
                {
                    SlurmLog.CommandRetried(_log, args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception?.Message ?? string.Empty);
                    return default;
                },
            });
        }

        _pipeline = builder.Build();
    }

    /// <summary>Runs <paramref name="program"/> with <paramref name="arguments"/>.</summary>
    /// <param name="program">A Slurm command's name (<c>sbatch</c>, ...).</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="accept">Says whether a non-zero exit is an answer rather than a failure (for example <c>squeue</c>'s "Invalid job id").</param>
    /// <param name="cancellationToken">Cancels the command (it is killed) and the retries.</param>
    /// <returns>What it printed.</returns>
    /// <exception cref="SlurmCommandException">It failed for good.</exception>
    public async Task<SlurmCommandResult> RunAsync(string program, IReadOnlyList<string> arguments, Func<SlurmCommandResult, bool>? accept, CancellationToken cancellationToken)
    {
        string path = _options.SlurmBinDirectory is { Length: > 0 } bin ? Path.Combine(bin, program) : program;
        string commandLine = path + " " + string.Join(' ', arguments);
        try
        {
            return await _pipeline.ExecuteAsync(
                async ct =>
                {
                    SlurmCommandResult result = await RunOnceAsync(path, arguments, commandLine, ct).ConfigureAwait(false);
                    if (result.ExitCode == 0 || accept?.Invoke(result) == true)
                    {
                        return result;
                    }

                    if (IsTransient(result.StandardError))
                    {
                        throw new TransientSlurmFailure($"{commandLine} exited {result.ExitCode}: {result.StandardError.Trim()}", result);
                    }

                    throw new SlurmCommandException($"{commandLine} exited {result.ExitCode}: {result.StandardError.Trim()}")
                    {
                        Command = commandLine,
                        ExitCode = result.ExitCode,
                        StandardError = result.StandardError,
                    };
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (TransientSlurmFailure e)
        {
            throw new SlurmCommandException($"{e.Message} (still failing after {_options.MaxCommandRetries} retries)", e)
            {
                Command = commandLine,
                ExitCode = e.Result?.ExitCode,
                StandardError = e.Result?.StandardError ?? string.Empty,
            };
        }
    }

    internal static bool IsTransient(string standardError) =>
        TransientMarkers.Any(m => standardError.Contains(m, StringComparison.OrdinalIgnoreCase));

    private async Task<SlurmCommandResult> RunOnceAsync(string path, IReadOnlyList<string> arguments, string commandLine, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new SlurmCommandException($"cannot run {path}: {e.Message} (is Slurm installed and on PATH? see docs/slurm.md)", e) { Command = commandLine };
        }

        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        Task<string> stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }

            cancellationToken.ThrowIfCancellationRequested();
            throw new TransientSlurmFailure($"{commandLine} timed out after {_options.CommandTimeout}", null);
        }

        return new SlurmCommandResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary>A failure worth retrying; never leaves the runner.</summary>
    private sealed class TransientSlurmFailure(string message, SlurmCommandResult? result) : Exception(message)
    {
        public SlurmCommandResult? Result { get; } = result;
    }
}
