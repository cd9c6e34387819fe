using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;

namespace Toil.Runtime.Logging;

/// <summary>
/// Toil's log-level names and numbers (Python <c>logging</c> levels plus Toil's <c>TRACE</c>) and their mapping onto
/// <see cref="LogLevel"/>. Names follow Toil's <c>set_log_level</c>: CRITICAL, FATAL, ERROR, WARNING, WARN, INFO,
/// DEBUG, TRACE, NOTSET and OFF (which means CRITICAL), in any case; nothing else is accepted — not numbers, not an
/// empty string, not a name with spaces around it.
/// </summary>
/// <remarks>
/// Name → <see cref="LogLevel"/>: CRITICAL, FATAL, OFF → <see cref="LogLevel.Critical"/>; ERROR → <see cref="LogLevel.Error"/>;
/// WARNING, WARN → <see cref="LogLevel.Warning"/>; INFO → <see cref="LogLevel.Information"/>; DEBUG → <see cref="LogLevel.Debug"/>;
/// TRACE and NOTSET → <see cref="LogLevel.Trace"/> (NOTSET lets everything through). OFF is not
/// <see cref="LogLevel.None"/>: as in Toil, critical records still pass.
/// Level number → <see cref="LogLevel"/>: the nearest named level at or below it (50 and above Critical, 40 Error,
/// 30 Warning, 20 Information, 10 Debug, below 10 Trace), so Python's custom levels (e.g. 25) land sensibly.
/// <see cref="LogLevel"/> → number: Trace 5, Debug 10, Information 20, Warning 30, Error 40, Critical 50.
/// </remarks>
internal static class ToilLogLevel
{
    /// <summary>The number of CRITICAL (and FATAL).</summary>
    public const int Critical = 50;

    /// <summary>The number of ERROR.</summary>
    public const int Error = 40;

    /// <summary>The number of WARNING (and WARN).</summary>
    public const int Warning = 30;

    /// <summary>The number of INFO.</summary>
    public const int Info = 20;

    /// <summary>The number of DEBUG.</summary>
    public const int Debug = 10;

    /// <summary>The number of Toil's TRACE level.</summary>
    public const int Trace = 5;

    /// <summary>The number of NOTSET.</summary>
    public const int NotSet = 0;

    internal const string AcceptedNamesText = "CRITICAL, FATAL, ERROR, WARNING, WARN, INFO, DEBUG, TRACE, NOTSET, OFF";

    /// <summary>Parses a Toil level name to its number.</summary>
    /// <param name="name">The name, in any case.</param>
    /// <returns>The level number (OFF gives <see cref="Critical"/>).</returns>
    /// <exception cref="UnknownLogLevelException"><paramref name="name"/> is not an accepted name.</exception>
    public static int Parse(string? name) =>
        TryParse(name, out int level) ? level : throw new UnknownLogLevelException(name);

    /// <summary>Tries to parse a Toil level name to its number.</summary>
    /// <param name="name">The name, in any case.</param>
    /// <param name="level">The level number when the name is accepted; otherwise 0.</param>
    /// <returns><see langword="true"/> if the name is accepted.</returns>
    public static bool TryParse([NotNullWhen(true)] string? name, out int level)
    {
        level = name?.ToUpperInvariant() switch
        {
            "CRITICAL" or "FATAL" or "OFF" => Critical,
            "ERROR" => Error,
            "WARNING" or "WARN" => Warning,
            "INFO" => Info,
            "DEBUG" => Debug,
            "TRACE" => Trace,
            "NOTSET" => NotSet,
            _ => -1,
        };
        if (level < 0)
        {
            level = 0;
            return false;
        }

        return true;
    }

    /// <summary>Parses a Toil level name to the <see cref="LogLevel"/> it means (see the mapping in the remarks).</summary>
    /// <param name="name">The name, in any case.</param>
    /// <returns>The minimum <see cref="LogLevel"/> that passes.</returns>
    /// <exception cref="UnknownLogLevelException"><paramref name="name"/> is not an accepted name.</exception>
    public static LogLevel ParseLogLevel(string? name) => ToLogLevel(Parse(name));

    /// <summary>Maps a Toil (Python) level number to a <see cref="LogLevel"/>: the nearest named level at or below it.</summary>
    /// <param name="levelNumber">The level number.</param>
    /// <returns>The <see cref="LogLevel"/>.</returns>
    public static LogLevel ToLogLevel(int levelNumber) => levelNumber switch
    {
        >= Critical => LogLevel.Critical,
        >= Error => LogLevel.Error,
        >= Warning => LogLevel.Warning,
        >= Info => LogLevel.Information,
        >= Debug => LogLevel.Debug,
        _ => LogLevel.Trace,
    };

    /// <summary>Maps a <see cref="LogLevel"/> to Toil's level number.</summary>
    /// <param name="level">The level; <see cref="LogLevel.None"/> has no Toil number.</param>
    /// <returns>The level number.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="level"/> is <see cref="LogLevel.None"/> or undefined.</exception>
    public static int FromLogLevel(LogLevel level) => level switch
    {
        LogLevel.Trace => Trace,
        LogLevel.Debug => Debug,
        LogLevel.Information => Info,
        LogLevel.Warning => Warning,
        LogLevel.Error => Error,
        LogLevel.Critical => Critical,
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, "Toil has no level for this value (OFF still lets critical records through)"),
    };

    /// <summary>Gets Toil's name of a level number, as Python's <c>logging.getLevelName</c> does.</summary>
    /// <param name="levelNumber">The level number.</param>
    /// <returns>CRITICAL, ERROR, WARNING, INFO, DEBUG, TRACE, NOTSET, or <c>Level N</c> for any other number.</returns>
    public static string GetName(int levelNumber) => levelNumber switch
    {
        Critical => "CRITICAL",
        Error => "ERROR",
        Warning => "WARNING",
        Info => "INFO",
        Debug => "DEBUG",
        Trace => "TRACE",
        NotSet => "NOTSET",
        _ => "Level " + levelNumber.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Gets Toil's name of a <see cref="LogLevel"/>.</summary>
    /// <param name="level">The level; <see cref="LogLevel.None"/> has no Toil name.</param>
    /// <returns>CRITICAL, ERROR, WARNING, INFO, DEBUG or TRACE.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="level"/> is <see cref="LogLevel.None"/> or undefined.</exception>
    public static string GetName(LogLevel level) => GetName(FromLogLevel(level));
}
