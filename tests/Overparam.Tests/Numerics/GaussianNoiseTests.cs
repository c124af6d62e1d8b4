using Overparam.Numerics;

namespace Overparam.Tests.Numerics;

public class GaussianNoiseTests
{
    /// <summary>
    /// The same draws by a scalar re-implementation of the documented algorithm (8 xoshiro256** lanes seeded by
    /// SplitMix64, u = 2 − v, θ = 2π(v − 1), Box–Muller with cos for the first half of each piece, sin for the second),
    /// with Math.Log, Math.Sqrt and Math.SinCos: equal up to the last bits of the vectorized ln, sin and cos.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(1024)]
    [InlineData(4096)]
    [InlineData(2500)]
    public void IsTheDocumentedAlgorithm(int n)
    {
        var z = new double[n];
        GaussianNoise.Fill(12345, z);
        var expected = Reference(12345, n);
        for (int i = 0; i < n; i++) Assert.True(Math.Abs(z[i] - expected[i]) < 1e-12, $"draw {i}: {z[i]:R} against {expected[i]:R}");
    }

    [Fact]
    public void HasTheMomentsOfAStandardNormal_AndDependsOnlyOnTheKey()
    {
        const int blocks = 100, n = 4096;
        double sum = 0, squares = 0, fourth = 0;
        var z = new double[n];
        var again = new double[n];
        for (int b = 0; b < blocks; b++)
        {
            GaussianNoise.Fill((ulong)b * 7919, z);
            GaussianNoise.Fill((ulong)b * 7919, again);
            Assert.Equal(z, again);
            foreach (double v in z) { sum += v; squares += v * v; fourth += v * v * v * v; }
        }
        double count = blocks * n;
        // Within 5 standard errors: SE(mean) = 1/√N, SE(E z²) = √2/√N, SE(E z⁴) = √96/√N.
        Assert.True(Math.Abs(sum / count) < 5 / Math.Sqrt(count), $"mean {sum / count}");
        Assert.True(Math.Abs(squares / count - 1) < 5 * Math.Sqrt(2 / count), $"E z² {squares / count}");
        Assert.True(Math.Abs(fourth / count - 3) < 5 * Math.Sqrt(96 / count), $"E z⁴ {fourth / count}");
        GaussianNoise.Fill(1, again);
        Assert.NotEqual(z, again);
    }

    /// <summary>The fraction of draws below each of a few quantiles of N(0, 1) matches Φ (a coarse Kolmogorov check).</summary>
    [Fact]
    public void FollowsTheNormalDistributionFunction()
    {
        var z = new double[409_600];
        for (int b = 0; b < 100; b++) GaussianNoise.Fill((ulong)b, z.AsSpan(b * 4096, 4096));
        foreach (double q in new[] { -2.5, -1.0, -0.3, 0.0, 0.7, 1.9 })
        {
            double below = z.Count(v => v < q) / (double)z.Length, phi = NormalDistribution.Cdf(q);
            Assert.True(Math.Abs(below - phi) < 5 * Math.Sqrt(phi * (1 - phi) / z.Length), $"P(z < {q}) = {below}, Φ = {phi}");
        }
    }

    private static double[] Reference(ulong key, int n)
    {
        var s = new ulong[8, 4];
        for (int l = 0; l < 8; l++)
        {
            ulong x = key ^ (0x9E3779B97F4A7C15UL * (ulong)(l + 1));
            for (int k = 0; k < 4; k++)
            {
                ulong zz = x += 0x9E3779B97F4A7C15UL;
                zz = (zz ^ (zz >> 30)) * 0xBF58476D1CE4E5B9UL;
                zz = (zz ^ (zz >> 27)) * 0x94D049BB133111EBUL;
                s[l, k] = zz ^ (zz >> 31);
            }
        }
        ulong Next(int l)
        {
            ulong result = ulong.RotateLeft(s[l, 1] * 5, 7) * 9, t = s[l, 1] << 17;
            s[l, 2] ^= s[l, 0]; s[l, 3] ^= s[l, 1]; s[l, 1] ^= s[l, 2]; s[l, 0] ^= s[l, 3]; s[l, 2] ^= t; s[l, 3] = ulong.RotateLeft(s[l, 3], 45);
            return result;
        }
        double V(int l) => BitConverter.UInt64BitsToDouble((Next(l) >> 12) | 0x3FF0000000000000UL);
        var z = new double[n];
        for (int start = 0; start < n; start += 1024)
        {
            int pairs = Math.Min(512, (n - start + 1) / 2), rounded = (pairs + 7) / 8 * 8;
            var u = new double[rounded];
            var theta = new double[rounded];
            for (int k = 0; k < rounded; k++) u[k] = 2 - V(k % 8);
            for (int k = 0; k < rounded; k++) theta[k] = 2 * Math.PI * (V(k % 8) - 1);
            for (int k = 0; k < pairs; k++)
            {
                double r = Math.Sqrt(-2 * Math.Log(u[k]));
                if (start + k < n) z[start + k] = r * Math.Cos(theta[k]);
                if (start + pairs + k < n) z[start + pairs + k] = r * Math.Sin(theta[k]);
            }
        }
        return z;
    }
}
