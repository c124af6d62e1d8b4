using Overparam.Activations;
using Overparam.Architectures.ConvResNet;
using Overparam.Kernels;
using Overparam.Numerics;
using static Overparam.Tests.Kernels.KernelTestSupport;

namespace Overparam.Tests.Kernels;

public class ConvResNetKernelTests
{
    private const int N = 3, D0 = 2, P = 4, Q = 3, Depth = 3;
    private const double CRes = 0.9;

    /// <summary>n inputs of d0×p (channel-major), ‖x_i‖_F = 1 (Theorem 7.1).</summary>
    private static Matrix<double> Inputs() => UnitInputs(N, D0 * P, 31);

    /// <summary>
    /// docs/mathematics.md §9.4 setting (n = 3, d0 = 2, p = 4, q = 3, H = 3, c_res = 0.9, softplus) at m = 1000, 4 seeds: K^(H) against
    /// the empirical G^(H)(0) of eq. (15). The spec saw 1.2% at m = 3000 with 8 seeds; with 1/6 of the neuron-seeds the
    /// expected relative error is ~3%: asserted ≤ 6% of max K and within the Monte Carlo tolerance (5 SE, √(2/(mS)) floor).
    /// </summary>
    [Fact]
    public void MatchesFiniteWidthSimulation()
    {
        const int m = 1000, seeds = 4;
        var x = Inputs();
        var sigma = new Softplus();
        var r = ConvResNetKernel.Compute(x, D0, P, Q, Depth, sigma, CRes);
        var sims = new Matrix<double>[seeds];
        Parallel.For(0, seeds, new ParallelOptions { MaxDegreeOfParallelism = 2 },
            s => sims[s] = FiniteWidthGrams.ConvGH(x, D0, P, Q, Depth, sigma, CRes, m, (ulong)(700 + s)));
        var (g, se) = MeanAndSe(sims);
        double err = MaxAbsDiff(r.KH, g), scale = MaxAbs(r.KH);
        Assert.True(err <= Tolerance(se, scale, m, seeds), $"max|K−G| = {err:e3} ({err / scale:p1} of max K), pooled SE = {se:e3}");
        Assert.True(err <= 0.06 * scale, $"max|K−G| = {err:e3} ({err / scale:p1} of max K)");
        Console.WriteLine($"conv: max|K−G| = {err:e3} ({err / scale:p2} of max K = {scale:e3}), λ_min K = {r.Lambda0:e3}, G = {LinearAlgebra.SmallestEigenvalue(g):e3}");
    }

    [Fact]
    public void TensorsHaveDocumentedShapes()
    {
        var r = ConvResNetKernel.Compute(Inputs(), D0, P, Q, Depth, new Softplus(), CRes);
        var names = r.Tensors.Select(t => t.Name).ToArray();
        Assert.Equal(["K0", "K1", "K2", "K3", "Lambda2", "Lambda3"], names);
        foreach (var t in r.Tensors.Where(t => t.Name != "K3")) Assert.Equal([N, N, P, P], t.Shape);
        Assert.Equal([N, N], r.Tensors.Single(t => t.Name == "K3").Shape);
        Assert.Null(r.Theta);
        // K0 = Λ^(1) = P[x_iᵀ x_j]: with ‖x_i‖_F = 1, Σ_l (x_iᵀx_i)_ll = 1 and the patch sum counts interior positions q times.
        var k0 = r.Tensors[0];
        double trace = 0;
        for (int l = 0; l < P; l++) trace += k0.Data[l * P + l];
        Assert.InRange(trace, 1.0, Q);
        Assert.True(r.Lambda0 > 0);
    }

    [Fact]
    public void PatchAggregationPadsWithZeros()
    {
        // n = 1, p = 3, q = 3: P[S]_00 = S_00 + S_11, P[S]_11 = S_00 + S_11 + S_22, P[S]_02 = S_02 (t = 0 only).
        var s = new Matrix<double>(3, 3, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        var p = ConvResNetKernel.Patch(s, 1, 3, 3);
        Assert.Equal(1 + 5, p[0, 0]);
        Assert.Equal(1 + 5 + 9, p[1, 1]);
        Assert.Equal(3, p[0, 2]);
        Assert.Equal(2 + 6, p[0, 1]);
    }
}
