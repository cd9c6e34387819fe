namespace Toil.Runtime.Fuzz;

/// <summary>Runs a parse and checks that it either returns or throws one of the documented exception types.</summary>
public static class Expect
{
    /// <summary>Runs <paramref name="parse"/>; returns its result, or <see langword="default"/> if it threw a <typeparamref name="TDocumented"/>.</summary>
    /// <exception cref="FuzzPropertyException">It threw anything else.</exception>
    public static (bool Ok, TResult? Result) SuccessOr<TDocumented, TResult>(Func<TResult> parse, string what)
        where TDocumented : Exception
    {
        try
        {
            return (true, parse());
        }
        catch (TDocumented)
        {
            return (false, default);
        }
        catch (Exception ex) when (ex is not FuzzPropertyException)
        {
            throw new FuzzPropertyException($"{what} threw {ex.GetType().FullName} (documented: {typeof(TDocumented).Name}): {ex.Message}", ex);
        }
    }

    /// <summary>Same as <see cref="SuccessOr{TDocumented, TResult}"/> for an asynchronous parse.</summary>
    public static async Task<(bool Ok, TResult? Result)> SuccessOrAsync<TDocumented, TResult>(Func<Task<TResult>> parse, string what)
        where TDocumented : Exception
    {
        try
        {
            return (true, await parse().ConfigureAwait(false));
        }
        catch (TDocumented)
        {
            return (false, default);
        }
        catch (Exception ex) when (ex is not FuzzPropertyException)
        {
            throw new FuzzPropertyException($"{what} threw {ex.GetType().FullName} (documented: {typeof(TDocumented).Name}): {ex.Message}", ex);
        }
    }

    /// <summary>Fails unless <paramref name="condition"/> holds.</summary>
    public static void That(bool condition, string what)
    {
        if (!condition)
        {
            throw new FuzzPropertyException(what);
        }
    }
}
