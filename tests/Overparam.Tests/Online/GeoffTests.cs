using Overparam.Online;

namespace Overparam.Tests.Online;

/// <summary>The GEOFF generator as the authors' (GEOFF.py, DynamicGEOFF.py) and the continual and label-roll streams.</summary>
public sealed class GeoffTests
{
    private static Geoff Target(ulong seed, int count, out double[] x)
    {
        var g = new Geoff(20, 1000, seed);
        x = g.NewInputs(count);
        g.NewTarget();
        return g;
    }

    [Fact]
    public void Thresholds_AreMinBetaMinusNegativeWeights()
    {
        var g = Target(1, 1, out _);
        int rows = 21, cols = 1001;
        for (int j = 0; j < cols; j++)
        {
            int negative = Enumerable.Range(0, rows).Count(i => g.UStar[i * cols + j] == -1);
            Assert.Equal(21 * 0.6 - negative, g.Theta[j]);
        }
        Assert.All(g.UStar, u => Assert.True(u is 1 or -1));
        Assert.All(g.WStar, w => Assert.True(w is -1 or 0 or 1));
        Assert.InRange(g.UStar.Count(u => u == 1) / (double)g.UStar.Length, 0.48, 0.52);
        Assert.InRange(g.WStar.Count(w => w == 0) / 1001.0, 0.28, 0.39);
    }

    [Fact]
    public void BiasEntries_AreOne_AndInputsAreBits()
    {
        var g = Target(2, 200, out var x);
        for (int r = 0; r < 200; r++)
        {
            Assert.Equal(1, x[r * 21 + 20]);
            for (int i = 0; i < 20; i++) Assert.True(x[r * 21 + i] is 0 or 1);
            var phi = g.TargetFeatures(x.AsSpan(r * 21, 21));
            Assert.Equal(1, phi[1000]);
            for (int j = 0; j < 1000; j++)
                Assert.Equal(Enumerable.Range(0, 21).Sum(i => x[r * 21 + i] * g.UStar[i * 1001 + j]) > g.Theta[j] ? 1 : 0, phi[j]);
        }
        Assert.InRange(x.Where((_, k) => k % 21 != 20).Average(), 0.48, 0.52);
    }

    /// <summary>y* − Σ_j w*_j φ*_j is N(0, 1) noise: over 10,000 examples its variance is 1 within 5 standard errors (√(2/n) ≈ 0.014).</summary>
    [Fact]
    public void Noise_HasVarianceOne()
    {
        const int n = 10000;
        var g = Target(3, n, out var x);
        var y = g.Targets(x);
        var noise = Enumerable.Range(0, n).Select(r =>
        {
            var phi = g.TargetFeatures(x.AsSpan(r * 21, 21));
            return y[r] - Enumerable.Range(0, phi.Length).Sum(j => g.WStar[j] * phi[j]);
        }).ToArray();
        double mean = noise.Average(), variance = noise.Sum(v => (v - mean) * (v - mean)) / (n - 1);
        Assert.InRange(mean, -5 / Math.Sqrt(n), 5 / Math.Sqrt(n));
        Assert.InRange(variance, 1 - 5 * Math.Sqrt(2.0 / n), 1 + 5 * Math.Sqrt(2.0 / n));
    }

    /// <summary>W_mutate(0.5) redraws ⌊1001/2⌋ distinct positions of w* (about 2/3 of them change) and keeps U*, θ and the rest of w*.</summary>
    [Fact]
    public void Mutate_RedrawsHalfOfWStar_KeepsFeatures()
    {
        var g = Target(4, 1, out _);
        var (u, theta, w) = ((int[])g.UStar.Clone(), (double[])g.Theta.Clone(), (int[])g.WStar.Clone());
        g.Mutate(0.5);
        Assert.Equal(u, g.UStar);
        Assert.Equal(theta, g.Theta);
        Assert.Equal(500, g.LastMutated.Distinct().Count());
        var mutated = g.LastMutated.ToHashSet();
        for (int j = 0; j < 1001; j++) if (!mutated.Contains(j)) Assert.Equal(w[j], g.WStar[j]);
        Assert.InRange(g.LastMutated.Count(j => g.WStar[j] != w[j]) / 500.0, 0.55, 0.78);
    }

    /// <summary>The continual schedule T0, T1, T2, T0, T1, T2: a revisit presents the same examples; tasks have fresh inputs; the same seed, the same stream.</summary>
    [Fact]
    public void ContinualStream_FollowsTheSchedule()
    {
        var s = OnlineStream.Geoff(20, 1000, 3, 6, 40, 0.5, 9);
        Assert.Equal([0, 1, 2, 0, 1, 2], s.Schedule);
        Assert.Equal(240, s.Examples);
        for (int t = 0; t < 120; t++)
        {
            Assert.Equal(s[t].X.ToArray(), s[t + 120].X.ToArray());
            Assert.Equal(s[t].Y, s[t + 120].Y);
        }
        Assert.NotEqual(s.Tasks[0].X, s.Tasks[1].X);
        var again = OnlineStream.Geoff(20, 1000, 3, 6, 40, 0.5, 9);
        Assert.Equal(s.Tasks[2].Y, again.Tasks[2].Y);
        var tensors = s.ToTensors().ToDictionary(t => t.Name);
        Assert.Equal([240, 21], tensors["X"].Shape);
        Assert.Equal([0.0, 1, 2, 3, 4, 5], tensors["stage"].AsDoubles().Where((_, t) => t % 40 == 0));
        Assert.Equal([0.0, 1, 2, 0, 1, 2], tensors["task"].AsDoubles().Where((_, t) => t % 40 == 0));
    }

    [Fact]
    public void Stream_ShorterThanOneStage_IsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => OnlineStream.Geoff(20, 10, 3, 6, 50, 0.5, 1, examples: 49));
        Assert.Contains("shorter than one stage", e.Message);
    }

    [Fact]
    public void FashionRoll_RollsLabelsByOneClassPerTask()
    {
        if (!Directory.Exists(Overparam.Data.DataSpec.FashionMnistDirectory)) return;   // CI installs dataset-fashion-mnist
        var s = OnlineStream.FashionRoll(Overparam.Data.DataSpec.FashionMnistDirectory, 3, 6, 30, 2);
        Assert.Equal(196, s.Inputs);
        Assert.Equal(10, s.Outputs);
        for (int r = 0; r < 30; r++)
        {
            Assert.Equal((s.Tasks[0].Y[r] + 9) % 10, s.Tasks[1].Y[r]);
            Assert.Equal((s.Tasks[0].Y[r] + 8) % 10, s.Tasks[2].Y[r]);
            Assert.Equal(1, s.Tasks[0].X[r * 197 + 196]);
        }
        Assert.Equal(9, s.Tasks[0].Y[0]);                                       // the first training image is an ankle boot
    }
}
