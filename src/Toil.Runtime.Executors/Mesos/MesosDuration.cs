using System.Globalization;

namespace Toil.Runtime.Executors.Mesos;

/// <summary>Parses Mesos duration strings (<c>&lt;decimal&gt;&lt;unit&gt;</c>, units <c>ns us ms secs mins hrs days weeks</c>).</summary>
internal static class MesosDuration
{
    public static TimeSpan Parse(string text, string what)
    {
        ArgumentNullException.ThrowIfNull(text);
        string s = text.Trim();
        int unitAt = 0;
        while (unitAt < s.Length && (char.IsAsciiDigit(s[unitAt]) || s[unitAt] == '.'))
        {
            unitAt++;
        }

        if (unitAt == 0 || unitAt == s.Length
            || !double.TryParse(s.AsSpan(0, unitAt), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value))
        {
            throw Bad(text, what);
        }

        double ticksPerUnit = s[unitAt..] switch
        {
            "ns" => 0.01,
            "us" => 10,
            "ms" => TimeSpan.TicksPerMillisecond,
            "secs" => TimeSpan.TicksPerSecond,
            "mins" => TimeSpan.TicksPerMinute,
            "hrs" => TimeSpan.TicksPerHour,
            "days" => TimeSpan.TicksPerDay,
            "weeks" => TimeSpan.TicksPerDay * 7,
            _ => throw Bad(text, what),
        };

        double ticks = value * ticksPerUnit;
        if (ticks > TimeSpan.MaxValue.Ticks)
        {
            throw Bad(text, what);
        }

        return TimeSpan.FromTicks((long)ticks);
    }

    private static FormatException Bad(string text, string what) =>
        new($"{what} is not a Mesos duration (a number followed by ns, us, ms, secs, mins, hrs, days or weeks): '{text}'");
}
