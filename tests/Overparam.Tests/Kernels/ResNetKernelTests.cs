using Overparam.Activations;
using Overparam.Architectures.ResNet;
using Overparam.Kernels;
using Overparam.Numerics;
using static Overparam.Tests.Kernels.KernelTestSupport;

namespace Overparam.Tests.Kernels;

public class ResNetKernelTests
{
    /// <summary>
    /// docs/mathematics.md §9.2 setting (softplus, c_res = 0.5, H = 3, n = 6 unit inputs in R^5, m = 3000, 4 seeds): K^(H) against the
    /// empirical G^(H)(0) of eq. (14), and the derived Θ and every lim G^(h) (h = 1..H+1) against the empirical per-layer
    /// Grams of the same wide networks. Tolerance as in the fully connected test, scaled per matrix (G^(H) = O(c_res²/H²)).
    /// </summary>
    [Fact]
    [Trait("Category", "Slow")]
    public void MatchesFiniteWidthSimulation()
    {
        const int depth = SimulationCache.MaxDepth, m = SimulationCache.Width, seeds = SimulationCache.Seeds;
        var r = ResNetKernel.Compute(SimulationCache.X, depth, new Softplus(), SimulationCache.CRes, new KernelOptions { KeepLayerGrams = true });
        var sims = SimulationCache.Get().ResNet;

        var (gH, seH) = MeanAndSe(sims.Select(g => g[depth - 1]).ToArray());
        double err = MaxAbsDiff(r.KH, gH);
        Assert.True(err <= Tolerance(seH, MaxAbs(r.KH), m, seeds), $"max|K−G| = {err:e3}, pooled SE = {seH:e3}, max K = {MaxAbs(r.KH):e3}");
        double lg = LinearAlgebra.SmallestEigenvalue(gH);
        Assert.True(Math.Abs(lg - r.Lambda0) <= 0.25 * r.Lambda0, $"λ_min K = {r.Lambda0:e3}, G = {lg:e3}");
        Assert.True(MaxAbsDiff(r.LayerGrams![depth - 1], r.KH) < 1e-15);     // lim G^(H) = K^(H)

        for (int h = 1; h <= depth + 1; h++)
        {
            var (g, se) = MeanAndSe(sims.Select(s => s[h - 1]).ToArray());
            double e = MaxAbsDiff(r.LayerGrams[h - 1], g);
            Assert.True(e <= Tolerance(se, MaxAbs(r.LayerGrams[h - 1]), m, seeds), $"G^({h}): max|lim − G| = {e:e3}, pooled SE = {se:e3}");
        }
        var (theta, seT) = MeanAndSe(sims.Select(s => { var t = new Matrix<double>(6, 6); foreach (var g in s) for (int e = 0; e < 36; e++) t.Data[e] += g.Data[e]; return t; }).ToArray());
        double et = MaxAbsDiff(r.Theta!, theta);
        Assert.True(et <= Tolerance(seT, MaxAbs(r.Theta!), m, seeds), $"Θ: max|Θ − ΣG| = {et:e3}, pooled SE = {seT:e3}");
        var sum = new Matrix<double>(6, 6);
        foreach (var g in r.LayerGrams) for (int e = 0; e < 36; e++) sum.Data[e] += g.Data[e];
        Assert.True(MaxAbsDiff(sum, r.Theta!) < 1e-13);
    }

    /// <summary>
    /// The b-term pairing of eq. (16) (b_i with σ(v)) against a finite-width ResNet with unequal input norms 0.3–2
    /// (docs/mathematics.md §9.3): the conjugate kernel lim ⟨x_i^(H), x_j^(H)⟩ is where the pairing enters.
    /// </summary>
    [Fact]
    public void UnequalNormsFollowEq16Pairing()
    {
        var x = UnitInputs(4, 5, 77);
        double[] norms = [0.3, 1.0, 2.0, 1.4];
        for (int i = 0; i < 4; i++) for (int k = 0; k < 5; k++) x[i, k] *= norms[i];
        const int depth = 2, m = 2000, seeds = 2;
        var r = ResNetKernel.Compute(x, depth, new Softplus(), 0.9);
        var sims = Enumerable.Range(0, seeds).Select(s => FiniteWidthGrams.ResNet(x, depth, new Softplus(), 0.9, m, (ulong)(300 + s))[depth]).ToArray();
        var (g, se) = MeanAndSe(sims);
        double e = MaxAbsDiff(r.ConjugateKernel!, g);
        Assert.True(e <= Tolerance(se, MaxAbs(r.ConjugateKernel!), m, seeds), $"max|K − G| = {e:e3}, pooled SE = {se:e3}");
    }

    [Fact]
    public void ParallelInputsGiveZeroLambda0()
    {
        var x = UnitInputs(4, 5, 9);
        for (int k = 0; k < 5; k++) x[2, k] = x[0, k];
        var r = ResNetKernel.Compute(x, 4, new Softplus(), 0.5);
        Assert.DoesNotContain(r.Theta!.Data, double.IsNaN);
        Assert.True(Math.Abs(r.Lambda0) < 1e-10, $"λ₀ = {r.Lambda0:e3}");
    }

    [Fact]
    public void MehlerAndQuadratureKernelsAgree()
    {
        var x = UnitInputs(6, 5, 4);
        var fast = ResNetKernel.Compute(x, 3, new Softplus(), 0.7);
        var slow = ResNetKernel.Compute(x, 3, new Softplus(), 0.7, new KernelOptions { UseMehler = false });
        Assert.True(MaxAbsDiff(fast.KH, slow.KH) < 1e-12);
        Assert.True(MaxAbsDiff(fast.Theta!, slow.Theta!) < 1e-12);
    }
}
