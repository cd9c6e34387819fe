using System.Text;
using CsCheck;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Fuzz.Targets;

/// <summary>
/// File IDs and shared-file names through both stores, in a temp directory: every call ends in success or a
/// <see cref="JobStoreException"/> (invalid ID, no such file), and nothing is written beside the store.
/// </summary>
/// <remarks>
/// Names around and beyond the stores' length limits (<see cref="JobStoreLimits"/>) are generated too: over-long input is
/// an <see cref="InvalidJobStoreIdException"/> like any other invalid name, never a raw <see cref="PathTooLongException"/>.
/// </remarks>
public sealed class StoreNameTarget : FuzzTarget<StoreNameTarget.Call>
{
    /// <summary>The shortest of the "long name" inputs is ten characters below this (the shared-file name limit).</summary>
    public const int LongName = 200;

    private StoreHarness? _stores;
    private readonly List<string> _issued = [];

    /// <summary>An input: which call, and the name or ID it gets.</summary>
    public sealed record Call(int Operation, string Name);

    /// <inheritdoc />
    public override string Name => "store-names";

    /// <inheritdoc />
    public override string Property => "file IDs, shared-file names and job IDs in the IJobStore calls of both stores: success or a JobStoreException; nothing written beside the store; a shared file written is shared/<name> with a [A-Za-z0-9._-] name";

    /// <inheritdoc />
    public override long CiIterations => 1500;

    /// <inheritdoc />
    protected override int Threads => 1;

    /// <inheritdoc />
    protected override Gen<Call> Inputs { get; } = Gen.Select(
        Gen.Int[0, 10],
        Gen.Frequency(
            (4, Hostile.String),
            (2, Gen.Select(Gen.OneOf("files-flat/", "job-files/", "shared/", "jobs/", "tmp/", "../", "", "stats/inbox/"), Hostile.String, Gen.OneOf("", "\n", "/..", "/.", "/x", "\0"), (a, b, c) => a + b + c)),
            (2, Gen.String[Gen.Char["abcXYZ019._-/\n"], 1, 30]),
            (1, Gen.Int[LongName - 10, 300].Select(n => new string('n', n))),
            (1, Gen.Const("@issued"))),
        (op, name) => new Call(op, name));

    /// <inheritdoc />
    protected override string Print(Call input) => $"operation {input.Operation}, name {Printing.Text(input.Name)} ({input.Name.Length} chars)";

    /// <inheritdoc />
    protected override void Setup()
    {
        _stores = StoreHarness.Create();
        foreach (IJobStore store in _stores.Stores)
        {
            _issued.Add(StoreHarness.Run(store.WriteFileAsync((s, ct) => s.WriteAsync("seed"u8.ToArray(), ct), baseName: "seed.txt")));
        }
    }

    /// <inheritdoc />
    protected override void Teardown() => _stores?.Dispose();

    /// <inheritdoc />
    protected override void Check(Call input)
    {
        foreach (IJobStore store in _stores!.Stores)
        {
            string name = input.Name == "@issued" ? _issued[input.Operation % _issued.Count] : input.Name;
            try
            {
                Invoke(store, input.Operation, name);
            }
            catch (JobStoreException)
            {
            }
            catch (Exception ex) when (ex is not FuzzPropertyException)
            {
                throw new FuzzPropertyException($"{store.GetType().Name} operation {input.Operation} threw {ex.GetType().FullName}: {ex.Message}", ex);
            }
        }

        _stores.Area.AssertNothingBeside();
        string shared = Path.Combine(_stores.Area.Child, "shared");
        foreach (string entry in Directory.EnumerateFileSystemEntries(shared))
        {
            string file = Path.GetFileName(entry);
            Expect.That(file.Length > 0 && file.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'), $"the file store made shared/{Printing.Text(file)}");
        }
    }

    private static void Invoke(IJobStore store, int operation, string name)
    {
        byte[] content = Encoding.UTF8.GetBytes("fuzz");
        switch (operation)
        {
            case 0:
                StoreHarness.Run(store.OpenReadFileAsync(name)).Dispose();
                break;
            case 1:
                StoreHarness.Run(store.FileExistsAsync(name));
                break;
            case 2:
                StoreHarness.Run(store.GetFileSizeAsync(name));
                break;
            case 3:
                StoreHarness.Run(store.UpdateFileAsync(name, (s, ct) => s.WriteAsync(content, ct)));
                break;
            case 4:
                StoreHarness.Run(store.WriteSharedFileAsync(name, (s, ct) => s.WriteAsync(content, ct)));
                break;
            case 5:
                StoreHarness.Run(store.OpenReadSharedFileAsync(name)).Dispose();
                break;
            case 6:
                StoreHarness.Run(store.SharedFileExistsAsync(name));
                break;
            case 7:
                StoreHarness.Run(store.WriteFileAsync((s, ct) => s.WriteAsync(content, ct), baseName: name));
                break;
            case 8:
                StoreHarness.Run(store.DeleteFileAsync(name));
                break;
            case 9:
                StoreHarness.Run(store.LoadJobAsync(name));
                break;
            default:
                StoreHarness.Run(store.JobExistsAsync(name));
                break;
        }
    }
}
