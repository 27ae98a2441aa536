using System.Numerics;

namespace MeProp;

// The element types MeProp computes with are float (training) and double (gradient checks).
// Every runtime type is generic over T with this one constraint, so that one generated backward
// serves both; the JIT specialises each generic for the value type, so float code pays nothing.
internal static class Numeric
{
    public static T From<T>(double value) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => T.CreateChecked(value);
}
