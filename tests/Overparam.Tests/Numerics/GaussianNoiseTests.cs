using MathNet.Numerics;
using Overparam.Numerics;

namespace Overparam.Tests.Numerics;

/// <summary>
/// The ziggurat of <see cref="GaussianNoise"/> against independent references: its layers against the formulas, its draws
/// against a scalar re-implementation of the documented algorithm, and its distribution against Φ (Kolmogorov–Smirnov,
/// χ² of bins and of the tail beyond R, moments, correlations). Thresholds: a correct generator fails them with
/// probability below about 1e-6 each; the keys are fixed, so the outcome is deterministic.
/// </summary>
public class GaussianNoiseTests
{
    private const int Block = 4096;

    /// <summary>Blocks of the keys first … first + count − 1, each of <see cref="Block"/> draws, one after another.</summary>
    private static double[] Draws(ulong first, int count)
    {
        var z = new double[count * Block];
        for (int b = 0; b < count; b++) GaussianNoise.Fill(first + (ulong)b, z.AsSpan(b * Block, Block));
        return z;
    }

    /// <summary>Every layer has the area v (the top one by the recursion's closing to 2e-12), and layer 0's is R f(R) plus the tail ∫_R^∞ f.</summary>
    [Fact]
    public void Layers_HaveEqualAreas()
    {
        var x = GaussianNoise.Edges;
        double v = GaussianNoise.V;
        static double F(double t) => Math.Exp(-t * t / 2);
        Assert.Equal(1024, x.Length);
        Assert.Equal(GaussianNoise.R, x[^1]);
        Assert.True(Math.Abs(x[1] * (1 - F(x[1])) / v - 1) < 1e-11, $"top layer {x[1] * (1 - F(x[1]))} against v = {v}");
        for (int i = 2; i < x.Length; i++) Assert.True(Math.Abs(x[i] * (F(x[i - 1]) - F(x[i])) / v - 1) < 1e-9, $"layer {i}");
        double tail = Integrate.OnClosedInterval(t => F(t), GaussianNoise.R, 40, 1e-14);
        Assert.True(Math.Abs((GaussianNoise.R * F(GaussianNoise.R) + tail) / v - 1) < 1e-10);
    }

    /// <summary>
    /// The same draws by a scalar re-implementation of the documented algorithm (8 xoshiro256** lanes seeded by
    /// SplitMix64, the layer (10 bits), sign and integer of each output, the tables from their formulas, NumPy's wedge and tail
    /// tests with SplitMix64 from Mix(key ^ Mix(j)) for draw j): the same bits, the rejected draws included.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(512)]
    [InlineData(1000)]
    [InlineData(4096)]
    [InlineData(2500)]
    public void IsTheDocumentedAlgorithm(int n)
    {
        var z = new double[n];
        GaussianNoise.Fill(12345, z);
        var expected = Reference(12345, n, out int rejected, out _);
        for (int i = 0; i < n; i++) Assert.True(z[i] == expected[i], $"draw {i}: {z[i]:R} against {expected[i]:R}");
        if (n >= 2500) Assert.InRange(rejected, 1, n / 20);                 // the continuation was exercised
    }

    /// <summary>
    /// The same against the reference over 2^20 draws (256 keys), where the tail's own rejection (2η ≤ ξ²), which
    /// about 3 draws in a million meet, is exercised too (the tail frequency alone would not see it).
    /// </summary>
    [Fact]
    public void IsTheDocumentedAlgorithm_ThroughTheTailsRejection()
    {
        var z = new double[Block];
        int tails = 0;
        for (ulong key = 0; key < 256; key++)
        {
            GaussianNoise.Fill(key, z);
            var expected = Reference(key, Block, out _, out int t);
            tails += t;
            for (int i = 0; i < Block; i++) Assert.True(z[i] == expected[i], $"key {key}, draw {i}: {z[i]:R} against {expected[i]:R}");
        }
        Assert.True(tails > 0, "no tail rejection met");
    }

    /// <summary>A block of n draws is the first n of the key's stream, for any n; the same key gives the same bits again.</summary>
    [Fact]
    public void ABlockIsAPrefixOfTheKeysStream()
    {
        var full = new double[3 * 512 + 40];
        GaussianNoise.Fill(99, full);
        foreach (int n in new[] { 1, 7, 8, 9, 63, 64, 511, 512, 513, 1024, 1500, 1575 })
        {
            var z = new double[n];
            GaussianNoise.Fill(99, z);
            Assert.Equal(full[..n], z);
        }
        var again = new double[full.Length];
        GaussianNoise.Fill(99, again);
        Assert.Equal(full, again);
        GaussianNoise.Fill(100, again);
        Assert.NotEqual(full, again);
    }

    /// <summary>Kolmogorov–Smirnov of 2^20 draws (256 keys) against Φ: √N·D below 2.7 (the asymptotic P(√N D &gt; 2.7) = 2e^−14.6 ≈ 1e-6).</summary>
    [Fact]
    public void FollowsTheNormalDistributionFunction()
    {
        var z = Draws(0, 256);
        Array.Sort(z);
        double d = 0;
        for (int i = 0; i < z.Length; i++)
        {
            double phi = NormalDistribution.Cdf(z[i]);
            d = Math.Max(d, Math.Max((i + 1.0) / z.Length - phi, phi - (double)i / z.Length));
        }
        Assert.True(Math.Sqrt(z.Length) * d < 2.7, $"√N D = {Math.Sqrt(z.Length) * d}");
    }

    /// <summary>
    /// χ² of 4·2^20 draws over 20 bins of z (edges −∞, −R, −3, −2.5, …, 2.5, 3, R, ∞; the two bins beyond ±R are the
    /// tail, drawn only by the continuation) against Φ: below 55 (19 degrees of freedom, P(χ² &gt; 55) ≈ 2e-5); the tail
    /// beyond ±R alone within 5 standard errors of 2Φ(−R) = 5.4e-5.
    /// </summary>
    [Fact]
    public void BinsAndTail_MatchPhi()
    {
        double r = GaussianNoise.R;
        double[] inner = [-3, -2.5, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3];
        double[] edges = [double.NegativeInfinity, -r, .. inner, r, double.PositiveInfinity];
        var counts = new long[edges.Length - 1];
        long n = 0;
        var z = new double[Block];
        for (ulong key = 1_000; key < 1_000 + 1024; key++)
        {
            GaussianNoise.Fill(key, z);
            foreach (double v in z)
            {
                int bin = Array.BinarySearch(edges, v);
                counts[bin >= 0 ? bin : ~bin - 1]++;
            }
            n += z.Length;
        }
        double chi2 = 0;
        for (int b = 0; b < counts.Length; b++)
        {
            double p = NormalDistribution.Cdf(edges[b + 1]) - NormalDistribution.Cdf(edges[b]);
            chi2 += (counts[b] - n * p) * (counts[b] - n * p) / (n * p);
        }
        Assert.True(chi2 < 55, $"χ² = {chi2}");
        double tail = 2 * NormalDistribution.Cdf(-r), seen = counts[0] + counts[^1];
        Assert.True(Math.Abs(seen - n * tail) < 5 * Math.Sqrt(n * tail), $"{seen} beyond ±R against {n * tail}");
    }

    /// <summary>
    /// Draws beyond ±5 at their rate 2Φ(−5) = 5.7e-7: 2^25 draws expect 19.2 (Poisson: P(≤ 3) ≈ 1e-5, P(&gt; 45) ≈ 1e-7),
    /// and none beyond ±8 (expected 4e-8).
    /// </summary>
    [Fact]
    public void FiveSigmaDraws_AtTheirRate()
    {
        long beyond = 0;
        double largest = 0;
        var z = new double[Block];
        for (ulong key = 50_000; key < 50_000 + 8192; key++)
        {
            GaussianNoise.Fill(key, z);
            foreach (double v in z)
                if (Math.Abs(v) > 5) { beyond++; largest = Math.Max(largest, Math.Abs(v)); }
        }
        Assert.InRange(beyond, 4, 45);
        Assert.True(largest < 8, $"|z| = {largest}");
    }

    /// <summary>Mean, variance, skewness and excess kurtosis of 2^22 draws within 5 standard errors of 0, 1, 0, 0.</summary>
    [Fact]
    public void HasTheMomentsOfAStandardNormal()
    {
        var z = Draws(7_000, 1024);
        double n = z.Length, m1 = 0, m2 = 0, m3 = 0, m4 = 0;
        foreach (double v in z) { m1 += v; m2 += v * v; m3 += v * v * v; m4 += v * v * v * v; }
        (m1, m2, m3, m4) = (m1 / n, m2 / n, m3 / n, m4 / n);
        // Standard errors for N(0, 1): E z 1/√N, E z² √2/√N, E z³ √15/√N, E z⁴ √96/√N.
        Assert.True(Math.Abs(m1) < 5 / Math.Sqrt(n), $"mean {m1}");
        Assert.True(Math.Abs(m2 - 1) < 5 * Math.Sqrt(2 / n), $"E z² {m2}");
        Assert.True(Math.Abs(m3) < 5 * Math.Sqrt(15 / n), $"E z³ {m3}");
        Assert.True(Math.Abs(m4 - 3) < 5 * Math.Sqrt(96 / n), $"E z⁴ {m4}");
    }

    /// <summary>
    /// Correlations ≈ 0 (|ρ| below 5/√N): of consecutive draws (lag 1, and lag 8: the same xoshiro lane), of draws in
    /// the same position of blocks of adjacent keys, and of |z| of consecutive draws (dependence through the layer).
    /// </summary>
    [Fact]
    public void ConsecutiveDraws_LanesAndAdjacentKeys_AreUncorrelated()
    {
        const int keys = 512;
        var z = Draws(3_000, keys);
        double Correlation(Func<int, double> a, Func<int, double> b, int count)
        {
            double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
            for (int i = 0; i < count; i++)
            {
                double x = a(i), y = b(i);
                sa += x; sb += y; saa += x * x; sbb += y * y; sab += x * y;
            }
            double ma = sa / count, mb = sb / count;
            return (sab / count - ma * mb) / Math.Sqrt((saa / count - ma * ma) * (sbb / count - mb * mb));
        }
        int pairs = z.Length - 8;
        foreach (int lag in new[] { 1, 7, 8 })
        {
            double rho = Correlation(i => z[i], i => z[i + lag], pairs);
            Assert.True(Math.Abs(rho) < 5 / Math.Sqrt(pairs), $"lag {lag}: ρ = {rho}");
        }
        double abs = Correlation(i => Math.Abs(z[i]), i => Math.Abs(z[i + 1]), pairs);
        Assert.True(Math.Abs(abs) < 5 / Math.Sqrt(pairs), $"|z| lag 1: ρ = {abs}");
        int across = (keys - 1) * Block;
        double keysRho = Correlation(i => z[i], i => z[i + Block], across);
        Assert.True(Math.Abs(keysRho) < 5 / Math.Sqrt(across), $"adjacent keys: ρ = {keysRho}");
    }

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong Mix(ulong z) => SplitMix64(ref z);

    /// <summary>The documented algorithm, one draw at a time, with its tables rebuilt from the formulas.</summary>
    private static double[] Reference(ulong key, int n, out int rejected, out int tailRejections)
    {
        double F(double t) => Math.Exp(-0.5 * t * t);
        const int layers = 1024;
        const double r = 4.038849846109504, scale = 4503599627370496.0;     // 2^52
        double v = r * F(r) + Math.Sqrt(Math.PI / 2) * SpecialFunctions.Erfc(r / Math.Sqrt(2));
        var x = new double[layers];
        x[layers - 1] = r;
        for (int i = layers - 1; i >= 2; i--) x[i - 1] = Math.Sqrt(-2 * Math.Log(v / x[i] + F(x[i])));
        var w = new double[layers];
        var k = new ulong[layers];
        var f = new double[layers];
        (w[0], k[0], f[0]) = (v / F(r) / scale, (ulong)(scale * r * F(r) / v), 1);
        for (int i = 1; i < layers; i++) (w[i], k[i], f[i]) = (x[i] / scale, i == 1 ? 0 : (ulong)(scale * x[i - 1] / x[i]), F(x[i]));

        var s = new ulong[8, 4];
        for (int l = 0; l < 8; l++)
        {
            ulong seed = key ^ (0x9E3779B97F4A7C15UL * (ulong)(l + 1));
            for (int j = 0; j < 4; j++) s[l, j] = SplitMix64(ref seed);
        }
        ulong Next(int l)
        {
            ulong result = ulong.RotateLeft(s[l, 1] * 5, 7) * 9, t = s[l, 1] << 17;
            s[l, 2] ^= s[l, 0]; s[l, 3] ^= s[l, 1]; s[l, 1] ^= s[l, 2]; s[l, 0] ^= s[l, 3]; s[l, 2] ^= t; s[l, 3] = ulong.RotateLeft(s[l, 3], 45);
            return result;
        }
        var z = new double[n];
        rejected = tailRejections = 0;
        for (int j = 0; j < n; j++)
        {
            ulong state = Mix(key ^ Mix((ulong)j));
            double U() => (SplitMix64(ref state) >> 11) / 9007199254740992.0;
            bool first = true;
            for (ulong out64 = Next(j % 8); ; out64 = SplitMix64(ref state))
            {
                int i = (int)(out64 % layers);
                double sign = (out64 / layers) % 2 == 1 ? -1 : 1;
                ulong a = (out64 / (2 * layers)) % (1UL << 52);
                double xi = a * w[i];
                if (a < k[i]) { z[j] = sign * xi; break; }
                if (first) rejected++;
                first = false;
                if (i == 0)
                {
                    double e, h;
                    while (true)
                    {
                        e = -Math.Log(1 - U()) / r;
                        h = -Math.Log(1 - U());
                        if (h + h > e * e) break;
                        tailRejections++;
                    }
                    z[j] = sign * (r + e);
                    break;
                }
                if (f[i] + (f[i - 1] - f[i]) * U() < F(xi)) { z[j] = sign * xi; break; }
            }
        }
        return z;
    }
}
