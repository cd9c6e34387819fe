// Fixtures of LayeringTests' checker tests: Low is the lower layer, High the upper one. Every Low type but LowClean
// uses High in exactly one way the checker must see; High uses Low, which is allowed. Nothing here runs.
#pragma warning disable CA1812, CA1822, CA1031, CA1064, CA1032, CA2201, CA1825, IDE0059, CS0649

namespace Toil.Runtime.Tests.Architecture.Fixtures.High
{
    internal class HighBase
    {
    }

    internal interface IHighContract
    {
    }

    internal sealed class HighThing
    {
        public static int Count;

        public static void Touch()
        {
        }
    }

    [AttributeUsage(AttributeTargets.All)]
    internal sealed class HighMarkerAttribute : Attribute
    {
    }

    internal sealed class HighException : Exception
    {
    }

    internal sealed class HighUsesLow
    {
        public Low.LowClean Down { get; } = new();

        public static Low.LowClean Make() => new();
    }
}

namespace Toil.Runtime.Tests.Architecture.Fixtures.Low
{
    [AttributeUsage(AttributeTargets.All)]
    internal sealed class LowTypeAttribute(Type type) : Attribute
    {
        public Type Type { get; } = type;
    }

    internal sealed class LowClean
    {
        public List<LowClean> Others { get; } = [];

        public static int Count() => new List<string>().Count;
    }

    internal sealed class LowBase : global::Toil.Runtime.Tests.Architecture.Fixtures.High.HighBase
    {
    }

    internal sealed class LowInterface : High.IHighContract
    {
    }

    internal sealed class LowField
    {
        public High.HighThing? Field;
    }

    internal sealed class LowSignature
    {
        public static string Take(High.HighThing? thing) => thing is null ? "none" : "one";
    }

    internal sealed class LowProperty
    {
        public Dictionary<string, High.HighThing[]> Things { get; } = [];
    }

    internal sealed class LowAttribute
    {
        [High.HighMarker]
        public static int Marked() => 1;
    }

    [LowType(typeof(High.HighThing))]
    internal sealed class LowTypeofInAttribute
    {
    }

    internal sealed class LowBodyCall
    {
        public static void Call() => High.HighThing.Touch();
    }

    internal sealed class LowBodyField
    {
        public static int Read() => High.HighThing.Count;
    }

    internal sealed class LowBodyGenericArgument
    {
        public static int Count() => new List<High.HighThing>().Count;
    }

    internal sealed class LowBodyTypeof
    {
        public static string Name() => typeof(High.HighThing).Name;
    }

    internal sealed class LowCatch
    {
        public static int Guarded(Action action)
        {
            try
            {
                action();
                return 0;
            }
            catch (High.HighException)
            {
                return 1;
            }
        }
    }

    internal sealed class LowLambda
    {
        public static Func<object> Factory() => () => new High.HighThing();
    }

    internal sealed class LowAsync
    {
        public static async Task<int> LaterAsync()
        {
            await Task.Yield();
            High.HighThing.Touch();
            return 1;
        }
    }

    internal sealed class LowGenericConstraint<T>
        where T : High.IHighContract
    {
    }
}
