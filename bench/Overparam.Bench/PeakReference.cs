using System.Numerics;
using Overparam.Numerics;

namespace Overparam.Bench;

/// <summary>
/// A size³ GEMM (C = A·B through LinearAlgebra.Gemm) kept ready so that cases can time it right next to their own
/// work. On a shared, noisy machine the ratio of a step's rate to the peak measured in the same breath is far steadier
/// than a ratio to a peak measured minutes earlier.
/// </summary>
public sealed class PeakReference<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Matrix<T> a, b, c;
    public int Size { get; }
    public double Flops => 2.0 * Size * Size * Size;

    public PeakReference(int size)
    {
        Size = size;
        var rng = new GaussianRng(7);
        a = new Matrix<T>(size, size);
        b = new Matrix<T>(size, size);
        c = new Matrix<T>(size, size);
        for (int i = 0; i < a.Data.Length; i++) a.Data[i] = T.CreateTruncating(rng.NextGaussian());
        for (int i = 0; i < b.Data.Length; i++) b.Data[i] = T.CreateTruncating(rng.NextGaussian());
    }

    public void Run() => LinearAlgebra.Gemm(a, false, b, false, c, T.One, T.Zero);

    /// <summary>Seconds of one GEMM.</summary>
    public double Time()
    {
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        Run();
        return System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds;
    }
}
