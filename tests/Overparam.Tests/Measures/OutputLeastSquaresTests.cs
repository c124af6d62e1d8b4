using Overparam.Architectures;
using Overparam.Measures;
using Overparam.Numerics;
using Overparam.Tests.Architectures;
using Overparam.Training;
using Overparam.Training.Optimizers;

namespace Overparam.Tests.Measures;

/// <summary>With the hidden layers frozen: the direct least-squares minimum of the output layer, and gradient descent's approach to it.</summary>
public class OutputLeastSquaresTests
{
    private static readonly ILinearAlgebraBackend[] Backends =
        [OpenBlasBackend.TryLoad(out _) ?? throw new InvalidOperationException("OpenBLAS is not installed"), new ManagedBackend()];

    private static Matrix<double> RandomLabels(int n, int classes, ulong seed)
    {
        var rng = new GaussianRng(seed);
        var labels = new double[n];
        for (int i = 0; i < n; i++) labels[i] = (int)(rng.NextUInt64() % (ulong)classes);
        return OutputLeastSquares.Targets(labels, classes);
    }

    private static double SumOfSquares(Matrix<double> m) => m.Data.Sum(v => v * v);

    [Theory]
    [InlineData(32, 32)]
    [InlineData(32, 64)]
    public void WideEnoughFeaturesFitRandomLabelsExactly(int n, int width)
    {
        var x = NetworkTestKit.UnitRows(n, 6, 1);
        var phi = Expressivity.Features(ExpressivityTests.SoftplusNet(2, width, 6, 10, 2), x);
        var y = RandomLabels(n, 10, 3);
        foreach (var backend in Backends)
        {
            using var _ = LinearAlgebra.Use(backend);
            var min = OutputLeastSquares.Solve(phi, y);
            Assert.Equal(n, min.Rank);
            Assert.True(min.ResidualSumOfSquares < 1e-10 * SumOfSquares(y), $"{backend.Name}: residual {min.ResidualSumOfSquares:G3}, ‖Y‖² = {SumOfSquares(y)}");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void NarrowFeaturesLeaveTheNormalEquationsResidual(bool bias)
    {
        const int n = 40, width = 12;
        var x = NetworkTestKit.UnitRows(n, 6, 4);
        var phi = Expressivity.Features(ExpressivityTests.SoftplusNet(1, width, 6, 10, 5), x);
        var y = RandomLabels(n, 10, 6);
        var a = phi;
        if (bias)
        {
            a = new Matrix<double>(n, width + 1);
            for (int i = 0; i < n; i++) { phi.Row(i).CopyTo(a.Row(i)); a[i, width] = 1; }
        }
        double expected = NormalEquationsResidual(a, y);
        Assert.True(expected > 0.1 * SumOfSquares(y) / 10, "random labels should not be fitted by 12 features");
        foreach (var backend in Backends)
        {
            using var _ = LinearAlgebra.Use(backend);
            var min = OutputLeastSquares.Solve(phi, y, bias);
            Assert.Equal(expected, min.ResidualSumOfSquares, 1e-8 * expected);
            Assert.Equal(bias ? width + 1 : width, min.Rank);
            Assert.Equal(bias, min.Bias is not null);
        }
    }

    // ‖A W − Y‖² with W from (AᵀA) W = AᵀY by a hand-written Cholesky factorization.
    private static double NormalEquationsResidual(Matrix<double> a, Matrix<double> y)
    {
        int m = a.Cols, c = y.Cols;
        var g = LinearAlgebra.Multiply(a, true, a, false);
        var rhs = LinearAlgebra.Multiply(a, true, y, false);
        var l = new double[m, m];
        for (int i = 0; i < m; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = g[i, j];
                for (int k = 0; k < j; k++) s -= l[i, k] * l[j, k];
                l[i, j] = i == j ? Math.Sqrt(s) : s / l[j, j];
            }
        var w = new Matrix<double>(m, c);
        for (int col = 0; col < c; col++)
        {
            var z = new double[m];
            for (int i = 0; i < m; i++) { double s = rhs[i, col]; for (int k = 0; k < i; k++) s -= l[i, k] * z[k]; z[i] = s / l[i, i]; }
            for (int i = m - 1; i >= 0; i--) { double s = z[i]; for (int k = i + 1; k < m; k++) s -= l[k, i] * w[k, col]; w[i, col] = s / l[i, i]; }
        }
        var fit = LinearAlgebra.Multiply(a, false, w, false);
        double rss = 0;
        for (int i = 0; i < fit.Length; i++) rss += (fit.Data[i] - y.Data[i]) * (fit.Data[i] - y.Data[i]);
        return rss;
    }

    /// <summary>Records L(k) at every step.</summary>
    private sealed class LossTrace : ITrainingObserver<double>
    {
        public readonly List<double> Losses = [];
        public void OnStep(in StepState<double> s) => Losses.Add(s.Loss);
        public void AfterUpdate(int nextStep, long nextBatch) { }
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void GradientDescentOnTheOutputLayerReachesTheMinimumAtTheRateKappaSets()
    {
        // n = 8, m_H = 256 (one hidden layer, softplus): ½‖Φa − y‖² is a quadratic with Hessian ΦᵀΦ; with η = 1/σ_max² the
        // residual's worst component shrinks by (1 − 1/κ) per step, so L(k) ≤ (1 − 1/κ)^{2k} L(0), and the minimum is 0 (rank Φ = n).
        const int n = 8, width = 256;
        var x = NetworkTestKit.UnitRows(n, 16, 12);
        var net = ExpressivityTests.SoftplusNet(1, width, 16, 1, 13, bias: false);
        var y = new double[n];
        new GaussianRng(14).FillGaussian(y);
        var phi = Expressivity.Features(net, x);
        var e = Expressivity.Measure(phi);
        Assert.True(e.Holds);
        double yy = y.Sum(v => v * v);
        var min = OutputLeastSquares.Solve(phi, new Matrix<double>(n, 1, y));
        Assert.True(min.ResidualSumOfSquares < 1e-10 * yy);
        double target = 1e-10 * yy, l0 = 0.5 * yy;                         // a = 0 at the start: u(0) = 0
        Array.Clear(net.Parameters.First(p => p.Name == "a").Value);
        int budget = (int)Math.Ceiling(e.Kappa / 2 * Math.Log(l0 / target)) + 10;
        Assert.InRange(budget, 1000, 400_000);                             // a well-conditioned case: κ of order 1e3–1e4
        var trace = new LossTrace();
        var trained = net.Parameters.Select(p => p.Name == "a").ToArray();
        var result = TrainingLoop.Run(net, x, y, new GradientDescent<double>(1 / (e.SigmaMax * e.SigmaMax)),
            new TrainingOptions(budget, target, trained), trace);
        Assert.Equal(TrainingStatus.Converged, result.Status);
        double rate = 1 - 1 / e.Kappa;
        for (int k = 0; k < trace.Losses.Count; k++)
            Assert.True(trace.Losses[k] <= Math.Pow(rate, 2 * k) * l0 * (1 + 1e-9) + 1e-30, $"L({k}) = {trace.Losses[k]:G6} above the κ bound {Math.Pow(rate, 2 * k) * l0:G6}");
    }

    [Fact]
    public void GradientDescentOnNarrowFeaturesStopsAtTheLeastSquaresResidual()
    {
        const int n = 16, width = 4;
        var x = NetworkTestKit.UnitRows(n, 8, 15);
        var net = ExpressivityTests.SoftplusNet(1, width, 8, 1, 16, bias: false);
        var y = new double[n];
        new GaussianRng(17).FillGaussian(y);
        var phi = Expressivity.Features(net, x);
        var e = Expressivity.Measure(phi);
        double floor = 0.5 * OutputLeastSquares.Solve(phi, new Matrix<double>(n, 1, y)).ResidualSumOfSquares;
        Assert.True(floor > 0.01);
        // For m < n the excess loss L(k) − L* shrinks by (1 − 1/κ)² per step (κ of the m × m problem ΦᵀΦ): 1e-10·L* within the budget.
        double l0 = 0.5 * y.Sum(v => v * v);
        Array.Clear(net.Parameters.First(p => p.Name == "a").Value);
        int steps = (int)Math.Ceiling(e.Kappa / 2 * Math.Log((l0 - floor) / (1e-10 * floor))) + 10;
        var trained = net.Parameters.Select(p => p.Name == "a").ToArray();
        var result = TrainingLoop.Run(net, x, y, new GradientDescent<double>(1 / (e.SigmaMax * e.SigmaMax)), new TrainingOptions(steps, 0, trained));
        Assert.Equal(floor, result.FinalLoss, 1e-8 * floor);
    }
}
