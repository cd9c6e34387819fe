using System.Diagnostics;
using CsCheck;

namespace Toil.Runtime.Fuzz;

/// <summary>
/// One parser reachable from outside, and the property every input must keep: it ends in success or in the parser's
/// documented typed exception, within <see cref="TimeBound"/>. A failing input is shrunk by CsCheck and reported with
/// the seed that reproduces it (<c>--seed</c>).
/// </summary>
public abstract class FuzzTarget
{
    /// <summary>The target's name on the command line (<c>--parser NAME</c>).</summary>
    public abstract string Name { get; }

    /// <summary>What is parsed and what counts as holding.</summary>
    public abstract string Property { get; }

    /// <summary>Iterations the test suite runs (the whole suite stays under a minute on two cores).</summary>
    public abstract long CiIterations { get; }

    /// <summary>The most one input may take.</summary>
    public virtual TimeSpan TimeBound => TimeSpan.FromSeconds(5);

    /// <summary>Runs <paramref name="iterations"/> inputs; throws (CsCheck's report) at the first input that breaks the property.</summary>
    /// <param name="iterations">How many inputs.</param>
    /// <param name="seed">A CsCheck seed to replay, or <see langword="null"/>.</param>
    /// <param name="writeLine">Receives CsCheck's summary.</param>
    public abstract void Run(long iterations, string? seed = null, Action<string>? writeLine = null);

    /// <summary>Runs <paramref name="check"/> on <paramref name="input"/> and fails it if it takes longer than <see cref="TimeBound"/>.</summary>
    protected void Bounded<T>(T input, Action<T> check)
    {
        var watch = Stopwatch.StartNew();
        check(input);
        if (watch.Elapsed > TimeBound)
        {
            throw new FuzzPropertyException($"{Name}: one input took {watch.Elapsed.TotalMilliseconds:F0} ms (bound {TimeBound.TotalMilliseconds:F0} ms)");
        }
    }
}

/// <summary>A fuzz target over inputs of type <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The input.</typeparam>
public abstract class FuzzTarget<T> : FuzzTarget
{
    /// <summary>Threads CsCheck samples on (1 for targets that share a store on disk).</summary>
    protected virtual int Threads => -1;

    /// <summary>The inputs: mostly mutations of valid documents, some random bytes.</summary>
    protected abstract Gen<T> Inputs { get; }

    /// <summary>Parses one input; throws <see cref="FuzzPropertyException"/> (or lets an unexpected exception escape) when the property breaks.</summary>
    protected abstract void Check(T input);

    /// <summary>How a failing input is printed.</summary>
    protected virtual string Print(T input) => CsCheck.Check.Print(input);

    /// <summary>Called once before sampling (e.g. to create a temp store).</summary>
    protected virtual void Setup()
    {
    }

    /// <summary>Called once after sampling, also when it failed (e.g. to check nothing was written outside the temp area).</summary>
    protected virtual void Teardown()
    {
    }

    /// <inheritdoc />
    public override void Run(long iterations, string? seed = null, Action<string>? writeLine = null)
    {
        Setup();
        try
        {
            Inputs.Sample(input => Bounded(input, Check), writeLine: writeLine, seed: seed, iter: iterations, threads: Threads, print: Print);
        }
        finally
        {
            Teardown();
        }
    }
}
