using CsCheck;
using Toil.Runtime.Jobs;
using Toil.Runtime.Logging;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Fuzz.Targets;

/// <summary>Mutations of valid strings: characters inserted, deleted, replaced or repeated; plus hostile strings.</summary>
public static class TextMutation
{
    /// <summary>Strings derived from <paramref name="valid"/>.</summary>
    public static Gen<string> From(params string[] valid) => Gen.Frequency(
        (1, Gen.OneOf(valid)),
        (4, Gen.Select(Gen.OneOf(valid), Gen.Select(Gen.Int[0, 3], Gen.Int[0, 1000], Gen.Char, (k, at, c) => (k, at, c)).Array[1, 4], (v, edits) =>
        {
            string s = v;
            foreach (var (k, at, c) in edits)
            {
                int i = s.Length == 0 ? 0 : at % (s.Length + 1);
                s = k switch
                {
                    0 => s.Insert(i, c.ToString()),
                    1 when i < s.Length => s.Remove(i, 1),
                    2 when i < s.Length => s[..i] + c + s[(i + 1)..],
                    _ => s[..i] + new string(s.Length == 0 ? c : s[Math.Min(i, s.Length - 1)], 1 + (at % 40)) + s[i..],
                };
            }

            return s;
        })),
        (2, Hostile.String));
}

/// <summary>Size strings (<see cref="DataSize"/>): job requirements and configuration.</summary>
public sealed class DataSizeTarget : FuzzTarget<string>
{
    /// <inheritdoc />
    public override string Name => "data-size";

    /// <inheritdoc />
    public override string Property => "DataSize.Parse: a non-negative byte count or FormatException; TryParse agrees and never throws";

    /// <inheritdoc />
    public override long CiIterations => 20000;

    /// <inheritdoc />
    protected override Gen<string> Inputs { get; } = TextMutation.From("2Gi", "100M", "3000000000", "1.5Ki", "0", "512 MiB", "1e3", "8EiB", "7.99999999999999999999Ei", "9223372036854775807");

    /// <inheritdoc />
    protected override string Print(string input) => Printing.Text(input);

    /// <inheritdoc />
    protected override void Check(string input)
    {
        var (ok, bytes) = Expect.SuccessOr<FormatException, long>(() => DataSize.Parse(input), "DataSize.Parse");
        Expect.That(!ok || bytes >= 0, $"DataSize.Parse gave {bytes}");
        bool tried = Expect.SuccessOr<NeverThrown, bool>(() => DataSize.TryParse(input, out long b) && b == bytes, "DataSize.TryParse").Result;
        Expect.That(tried == ok, "TryParse and Parse disagree");
    }
}

/// <summary>Toil's log-level names (<c>--logLevel</c>, <c>TOIL_RT_LOGGING_LEVEL</c>, datagram level names).</summary>
public sealed class LogLevelTarget : FuzzTarget<string>
{
    /// <inheritdoc />
    public override string Name => "log-level";

    /// <inheritdoc />
    public override string Property => "ToilLogLevel.Parse/ParseLogLevel: a level or UnknownLogLevelException; TryParse agrees and never throws";

    /// <inheritdoc />
    public override long CiIterations => 20000;

    /// <inheritdoc />
    protected override Gen<string> Inputs { get; } = TextMutation.From("INFO", "debug", "Warning", "WARN", "CRITICAL", "FATAL", "ERROR", "TRACE", "NOTSET", "OFF");

    /// <inheritdoc />
    protected override string Print(string input) => Printing.Text(input);

    /// <inheritdoc />
    protected override void Check(string input)
    {
        var (ok, level) = Expect.SuccessOr<UnknownLogLevelException, int>(() => ToilLogLevel.Parse(input), "ToilLogLevel.Parse");
        Expect.SuccessOr<UnknownLogLevelException, Microsoft.Extensions.Logging.LogLevel>(() => ToilLogLevel.ParseLogLevel(input), "ToilLogLevel.ParseLogLevel");
        bool tried = Expect.SuccessOr<NeverThrown, bool>(() => ToilLogLevel.TryParse(input, out int l) && l == level, "ToilLogLevel.TryParse").Result;
        Expect.That(tried == ok, "TryParse and Parse disagree");
        if (ok)
        {
            Expect.SuccessOr<NeverThrown, string>(() => ToilLogLevel.GetName(level), "GetName");
        }
    }
}

/// <summary>The worker's command line (<c>toil worker JOBNAME JOBSTORELOCATOR JOBSTOREID</c>).</summary>
public sealed class WorkerArgumentsTarget : FuzzTarget<string[]>
{
    /// <inheritdoc />
    public override string Name => "worker-args";

    /// <inheritdoc />
    public override string Property => "WorkerArguments.TryParse: never throws; accepted means exactly three non-blank positional arguments, refused means an error message";

    /// <inheritdoc />
    public override long CiIterations => 20000;

    /// <inheritdoc />
    protected override Gen<string[]> Inputs { get; } = Gen.Frequency(
        (3, Gen.Select(TextMutation.From("job", "--", "-", "--context", "-x"), TextMutation.From("file:/store", "file:", "./s"), TextMutation.From("kind-a/instance-0123456789abcdef0123456789abcdef", ""), (a, b, c) => new[] { a, b, c })),
        (2, Gen.OneOf(Hostile.String, Gen.OneOf("--", "-", "--context=x", "--logLevel", "job", "file:/s", "id")).Array[0, 6]));

    /// <inheritdoc />
    protected override string Print(string[] input) => "[" + string.Join(", ", input.Select(Printing.Text)) + "]";

    /// <inheritdoc />
    protected override void Check(string[] input)
    {
        WorkerArguments? parsed = null;
        string? error = null;
        bool ok = Expect.SuccessOr<NeverThrown, bool>(() => WorkerArguments.TryParse(input, out parsed, out error), "WorkerArguments.TryParse").Result;
        if (ok)
        {
            Expect.That(parsed is not null && error is null, "accepted without arguments, or with an error");
            Expect.That(!string.IsNullOrWhiteSpace(parsed!.JobName) && !string.IsNullOrWhiteSpace(parsed.JobStoreLocator) && !string.IsNullOrWhiteSpace(parsed.JobStoreId), "accepted a blank argument");
        }
        else
        {
            Expect.That(parsed is null && !string.IsNullOrEmpty(error), "refused without a message");
        }
    }
}
