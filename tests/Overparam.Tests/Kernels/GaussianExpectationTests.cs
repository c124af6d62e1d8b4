using Overparam.Activations;
using Overparam.Kernels;
using Overparam.Numerics;

namespace Overparam.Tests.Kernels;

public class GaussianExpectationTests
{
    private static readonly double[] Rhos = [-1, -0.999999, -0.9, -0.5, 0, 0.3, 0.8, 0.99, 0.999999, 1];
    private static readonly (double A, double B)[] Variances = [(1, 1), (0.3, 2.0), (2.5, 0.7), (0.05, 1.5)];

    [Fact]
    public void TensorQuadratureMatchesErfClosedForms()
    {
        var erf = new ErfActivation();
        var q = BivariateGaussian.Default;
        foreach (var (a, b) in Variances)
            foreach (var rho in Rhos)
            {
                double c = rho * Math.Sqrt(a * b);
                Assert.Equal(ClosedForms.ErfErfExpectation(a, b, c), q.Expect(erf.Value, erf.Value, a, b, c), 1e-10);
                Assert.Equal(ClosedForms.ErfPrimeErfPrimeExpectation(a, b, c), q.Expect(erf.Derivative, erf.Derivative, a, b, c), 1e-10);
            }
    }

    [Fact]
    public void AllPairsPathsMatchErfClosedForms()
    {
        // Covariance with unequal variances and correlations spanning [−1, 1], including exact ±1 and a zero variance.
        var erf = new ErfActivation();
        var (cov, _) = Covariance();
        int n = cov.Rows;
        foreach (bool mehler in new[] { true, false })
        {
            // The tensor path needs more than the default 96 nodes here: erf(1.6 z)² (variance 2.56) is off by 8e-10 at 96.
            var dual = new DualActivation(erf, new KernelOptions { UseMehler = mehler, QuadratureDegree = 200 });
            var ss = new Matrix<double>(n, n); var pp = new Matrix<double>(n, n); var mean = new double[n];
            dual.Evaluate(cov, ss, pp, mean);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(0, mean[i], 1e-12);
                for (int j = 0; j < n; j++)
                {
                    double a = cov[i, i], b = cov[j, j], c = cov[i, j];
                    Assert.Equal(ClosedForms.ErfErfExpectation(a, b, c), ss[i, j], 1e-10);
                    Assert.Equal(ClosedForms.ErfPrimeErfPrimeExpectation(a, b, c), pp[i, j], 1e-10);
                }
            }
        }
    }

    [Theory]
    [InlineData("softplus")]
    [InlineData("sigmoid")]
    [InlineData("gelu")]
    [InlineData("silu")]
    [InlineData("tanh")]
    public void MehlerPathMatchesTensorQuadrature(string name)
    {
        var sigma = Activation.Parse(name);
        var (cov, _) = Covariance();
        int n = cov.Rows;
        var fast = new DualActivation(sigma, new KernelOptions { UseMehler = true });
        // Reference: 400-node tensor rule (tanh at variance 2.56 is still off by ~1e-10 with 200 nodes).
        var slow = new DualActivation(sigma, new KernelOptions { UseMehler = false, QuadratureDegree = 400 });
        var s1 = new Matrix<double>(n, n); var p1 = new Matrix<double>(n, n); var m1 = new double[n];
        var s2 = new Matrix<double>(n, n); var p2 = new Matrix<double>(n, n); var m2 = new double[n];
        fast.Evaluate(cov, s1, p1, m1);
        slow.Evaluate(cov, s2, p2, m2);
        // tanh: poles at ±iπ/2 make both methods converge slowly at variance 2.56; agreement there is ~1e-11.
        double tol = name == "tanh" ? 1e-10 : 1e-11;
        Assert.True(KernelTestSupport.MaxAbsDiff(s1, s2) < tol, $"σσ {KernelTestSupport.MaxAbsDiff(s1, s2):e2}");
        Assert.True(KernelTestSupport.MaxAbsDiff(p1, p2) < tol, $"σ′σ′ {KernelTestSupport.MaxAbsDiff(p1, p2):e2}");
        for (int i = 0; i < n; i++) Assert.Equal(m2[i], m1[i], tol);
    }

    [Fact]
    public void ConditionalRuleMatchesErfClosedFormsUpToLargeVariancesAndRhoOne()
    {
        // The rule of the diagonal and of the nearly parallel pairs (docs/mathematics.md §4.6) at its adaptive level,
        // against Williams' closed forms, relative to the ρ = 1 value √(E_a[f²] E_b[f²]) (what λ₀ is measured against).
        var erf = new ErfActivation();
        var ws = new ConditionalQuadrature.Workspace();
        foreach (var (a, b) in new[] { (1.0, 1.0), (0.3, 2.0), (4.0, 4.0), (16.0, 9.0), (100.0, 100.0) })
        {
            int level = Math.Max(ConditionalQuadrature.Level(erf, a), ConditionalQuadrature.Level(erf, b));
            foreach (double rho in new[] { -1, -0.999, 0, 0.5, 0.9, 0.999, 1 - 1e-8, 1 })
            {
                double c = rho * Math.Sqrt(a * b);
                ConditionalQuadrature.Pair(erf, a, b, c, level, ws, out double ss, out double pp);
                double s1 = Math.Sqrt(ClosedForms.ErfErfExpectation(a, a, a) * ClosedForms.ErfErfExpectation(b, b, b));
                double p1 = Math.Sqrt(ClosedForms.ErfPrimeErfPrimeExpectation(a, a, a) * ClosedForms.ErfPrimeErfPrimeExpectation(b, b, b));
                Assert.True(Math.Abs(ss - ClosedForms.ErfErfExpectation(a, b, c)) <= 1e-14 * s1, $"σσ a={a} b={b} ρ={rho}: {ss:R}");
                Assert.True(Math.Abs(pp - ClosedForms.ErfPrimeErfPrimeExpectation(a, b, c)) <= 1e-14 * p1, $"σ′σ′ a={a} b={b} ρ={rho}: {pp:R}");
            }
        }
    }

    [Fact]
    public void ReluClosedFormsMatchMonteCarlo()
    {
        const int samples = 1_000_000;
        var rng = new GaussianRng(20190611);
        foreach (var (a, b, rho) in new[] { (1.0, 1.0, 0.3), (0.5, 2.0, -0.6), (1.5, 0.8, 0.95) })
        {
            double c = rho * Math.Sqrt(a * b), s1 = 0, s2 = 0, t1 = 0, t2 = 0;
            for (int k = 0; k < samples; k++)
            {
                double z1 = rng.NextGaussian(), z2 = rng.NextGaussian();
                double u = Math.Sqrt(a) * z1, v = Math.Sqrt(b) * (rho * z1 + Math.Sqrt(1 - rho * rho) * z2);
                double f = Math.Max(u, 0) * Math.Max(v, 0), g = u > 0 && v > 0 ? 1 : 0;
                s1 += f; s2 += f * f; t1 += g; t2 += g * g;
            }
            double mf = s1 / samples, sef = Math.Sqrt((s2 / samples - mf * mf) / samples);
            double mg = t1 / samples, seg = Math.Sqrt((t2 / samples - mg * mg) / samples);
            Assert.InRange(ClosedForms.ReluReluExpectation(a, b, c), mf - 4 * sef, mf + 4 * sef);
            Assert.InRange(ClosedForms.StepStepExpectation(a, b, c), mg - 4 * seg, mg + 4 * seg);
        }
    }

    [Fact]
    public void DegenerateCovariancesGiveNoNaN()
    {
        var q = BivariateGaussian.Default;
        var sp = new Softplus();
        foreach (var (a, b, c) in new[] { (0.0, 1.0, 0.0), (0.0, 0.0, 0.0), (1.0, 1.0, 1.0 + 1e-15), (1.0, 4.0, -2.0) })
        {
            Assert.False(double.IsNaN(q.Expect(sp.Value, sp.Value, a, b, c)));
            Assert.False(double.IsNaN(ClosedForms.ReluReluExpectation(a, b, c)));
            Assert.False(double.IsNaN(ClosedForms.StepStepExpectation(a, b, c)));
        }
        // a = 0: u ≡ 0, so E[σ(u)σ(v)] = σ(0) E[σ(v)].
        Assert.Equal(sp.Value(0) * q.Expect(sp.Value, 2.0), q.Expect(sp.Value, sp.Value, 0, 2.0, 0), 1e-13);
    }

    /// <summary>A 7×7 covariance: Gram of rows with norms 0…1.6, including exactly parallel and antiparallel rows.</summary>
    private static (Matrix<double> Cov, Matrix<double> X) Covariance()
    {
        var x = KernelTestSupport.UnitInputs(7, 4, 11);
        double[] norms = [1.0, 0.4, 1.6, 1.0, 0.0, 1.2, 0.7];
        for (int i = 0; i < 7; i++) for (int k = 0; k < 4; k++) x[i, k] *= norms[i];
        for (int k = 0; k < 4; k++) { x[3, k] = x[0, k]; x[6, k] = -0.7 * x[0, k]; }   // ρ = +1 and −1 pairs
        return (LinearAlgebra.Multiply(x, false, x, true), x);
    }
}
