using Overparam.Numerics;
using Xunit.Abstractions;

namespace Overparam.Tests.Numerics;

/// <summary>The vectorized tanh against <see cref="Math.Tanh"/> (the C library's), in units in the last place.</summary>
public sealed class VectorTanhTests(ITestOutputHelper output)
{
    /// <summary>Distance in representable doubles (0 when equal, ±0 equal).</summary>
    private static long Ulps(double a, double b)
    {
        static long Ordered(double v) { long bits = BitConverter.DoubleToInt64Bits(v); return bits >= 0 ? bits : long.MinValue - bits; }
        return Math.Abs(Ordered(a) - Ordered(b));
    }

    /// <summary>
    /// Within 2 ulps of Math.Tanh on both branches (|x| &lt; 0.625 rational, beyond through exp), around the branch point,
    /// on tiny and subnormal values and where tanh rounds to ±1; the distribution is reported.
    /// </summary>
    [Fact]
    public void WithinTwoUlpsOfMathTanh()
    {
        var rng = new Random(17);
        var xs = new List<double>();
        for (int i = 0; i < 200_000; i++) xs.Add(rng.NextDouble() * 50 - 25);
        for (int i = 0; i < 200_000; i++) xs.Add(rng.NextDouble() * 2.6 - 1.3);
        for (int i = 0; i < 20_000; i++) xs.Add(0.625 + (rng.NextDouble() - 0.5) * 1e-6);
        for (int i = 0; i < 50_000; i++) xs.Add((rng.Next(2) * 2 - 1) * Math.Pow(10, rng.NextDouble() * 312 - 320));
        xs.AddRange([0.625, -0.625, Math.BitDecrement(0.625), 19.06, 20, Math.BitIncrement(20), 22, 710, 1e308, double.MaxValue, double.Epsilon, -double.Epsilon]);
        var x = xs.ToArray();
        var (t, slope) = (new double[x.Length], new double[x.Length]);
        VectorTanh.Evaluate(x, t, slope);
        var counts = new int[3];
        long worst = 0;
        double worstAt = 0;
        for (int k = 0; k < x.Length; k++)
        {
            long d = Ulps(t[k], Math.Tanh(x[k]));
            if (d > worst) (worst, worstAt) = (d, x[k]);
            if (d < 3) counts[d]++;
            Assert.Equal(Math.FusedMultiplyAdd(-t[k], t[k], 1), slope[k]);
        }
        output.WriteLine($"{x.Length} points: {counts[0]} equal, {counts[1]} one ulp apart, {counts[2]} two; worst {worst} ulps at {worstAt:R}");
        Assert.True(worst <= 2, $"{worst} ulps at x = {worstAt:R}: {VectorTanh.Of(System.Runtime.Intrinsics.Vector512.Create(worstAt))[0]:R} against {Math.Tanh(worstAt):R}");
    }

    [Fact]
    public void SpecialValues()
    {
        double[] x = [0.0, -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e-300, -5e-324, 30, -30];
        var (t, slope) = (new double[x.Length], new double[x.Length]);
        VectorTanh.Evaluate(x, t, slope);
        Assert.Equal(BitConverter.DoubleToInt64Bits(0.0), BitConverter.DoubleToInt64Bits(t[0]));
        Assert.Equal(BitConverter.DoubleToInt64Bits(-0.0), BitConverter.DoubleToInt64Bits(t[1]));
        Assert.True(double.IsNaN(t[2]) && double.IsNaN(slope[2]));
        Assert.Equal([1.0, -1.0, 1e-300, -5e-324, 1.0, -1.0], new[] { t[3], t[4], t[5], t[6], t[7], t[8] });
        Assert.Equal([1.0, 0.0, 0.0], new[] { slope[0], slope[3], slope[7] });
    }

    /// <summary>The last partial vector gives the same bits as a full one: a value does not depend on its position.</summary>
    [Fact]
    public void TailEqualsFullVectors()
    {
        var rng = new Random(5);
        var x = Enumerable.Range(0, 16).Select(_ => rng.NextDouble() * 4 - 2).ToArray();
        var (full, fullSlope) = (new double[16], new double[16]);
        VectorTanh.Evaluate(x, full, fullSlope);
        for (int start = 1; start < 16; start++)
        {
            var (t, s) = (new double[16 - start], new double[16 - start]);
            VectorTanh.Evaluate(x.AsSpan(start), t, s);
            Assert.Equal(full[start..], t);
            Assert.Equal(fullSlope[start..], s);
        }
    }
}
