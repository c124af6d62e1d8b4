using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Overparam.Numerics;

/// <summary>x·y + z with one rounding, eight float64 or sixteen float32 lanes (the fused passes of Entropy-SGD and Replicated-SGD).</summary>
internal static class VectorFma<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Of(Vector512<T> x, Vector512<T> y, Vector512<T> z)
    {
        if (typeof(T) == typeof(double)) return Vector512.FusedMultiplyAdd(x.As<T, double>(), y.As<T, double>(), z.As<T, double>()).As<double, T>();
        if (typeof(T) == typeof(float)) return Vector512.FusedMultiplyAdd(x.As<T, float>(), y.As<T, float>(), z.As<T, float>()).As<float, T>();
        throw new NotSupportedException($"{typeof(T).Name}: Entropy-SGD and Replicated-SGD run in float64 or float32");
    }
}
