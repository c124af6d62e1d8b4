using Overparam.Activations;
using Overparam.Architectures;
using Overparam.Measures;
using Overparam.Numerics;
using Overparam.Tests.Architectures;

namespace Overparam.Tests.Measures;

/// <summary>The expressivity condition's measurement: singular values, numerical rank and σ_min, against other algorithms and known ranks.</summary>
public class ExpressivityTests
{
    private static readonly ILinearAlgebraBackend Native = OpenBlasBackend.TryLoad(out _)
        ?? throw new InvalidOperationException("OpenBLAS is not installed: apt-get install libopenblas0-pthread");
    private static readonly ILinearAlgebraBackend Managed = new ManagedBackend();

    private static Matrix<double> Gaussian(int rows, int cols, ulong seed)
    {
        var m = new Matrix<double>(rows, cols);
        new GaussianRng(seed).FillGaussian(m.Data);
        return m;
    }

    /// <summary>A softplus fc network in the standard parameterization with biases (depth H, width m, C outputs) over d inputs.</summary>
    public static IModel<double> SoftplusNet(int depth, int width, int d, int outputs, ulong seed, bool bias = true)
    {
        var c = new NetworkConfig(Architecture.Parse("fc"), depth, width, d, Activation.Parse("softplus"), Outputs: outputs,
            Parameterization: Parameterization.Standard, Bias: bias);
        return NetworkFactory.Create(c, NetworkFactory.Initialize<double>(c, new GaussianRng(seed)));
    }

    [Theory]
    [InlineData(6, 10)]
    [InlineData(10, 6)]
    public void SingularValuesAreTheSquareRootsOfTheEigenvaluesOfTheGram(int rows, int cols)
    {
        var a = Gaussian(rows, cols, 11);
        // Σ σ_j² = ‖A‖²_F, and σ_j² are the eigenvalues of AAᵀ (rows ≤ cols) or AᵀA (dsyevr, another algorithm).
        var gram = rows <= cols ? LinearAlgebra.Multiply(a, false, a, true) : LinearAlgebra.Multiply(a, true, a, false);
        var eigen = LinearAlgebra.SymmetricEigenvalues(gram).Reverse().Select(Math.Sqrt).ToArray();
        foreach (var backend in new[] { Native, Managed })
        {
            using var _ = LinearAlgebra.Use(backend);
            var s = LinearAlgebra.SingularValues(a);
            Assert.Equal(Math.Min(rows, cols), s.Length);
            for (int j = 0; j < s.Length; j++) Assert.Equal(eigen[j], s[j], 1e-12 * eigen[0]);
            for (int j = 1; j < s.Length; j++) Assert.True(s[j] <= s[j - 1]);
            var r = Expressivity.Measure(a);
            Assert.Equal(Math.Min(rows, cols), r.Rank);
            Assert.Equal(eigen[^1], r.SigmaMin, 1e-12 * eigen[0]);
            Assert.Equal(eigen[0], r.SigmaMax, 1e-12 * eigen[0]);
            Assert.Equal(eigen[0] * Math.Max(rows, cols) * Math.Pow(2, -52), r.Tolerance, 1e-12 * r.Tolerance);
            Assert.Equal(rows <= cols, r.Holds);
        }
    }

    [Fact]
    public void AProductOfRankThreeHasNumericalRankThree()
    {
        var a = LinearAlgebra.Multiply(Gaussian(7, 3, 1), false, Gaussian(3, 12, 2), false);   // rank 3 exactly, up to rounding
        foreach (var backend in new[] { Native, Managed })
        {
            using var _ = LinearAlgebra.Use(backend);
            var r = Expressivity.Measure(a);
            Assert.Equal(3, r.Rank);
            Assert.False(r.Holds);
            Assert.True(r.SigmaMin < r.Tolerance, $"σ_min {r.SigmaMin} should be rounding noise below {r.Tolerance}");
        }
    }

    [Theory]
    [InlineData(8)]
    [InlineData(20)]
    [InlineData(40)]
    public void FeaturesOfDistinctInputsUnderAnAnalyticActivationHaveFullRank(int width)
    {
        const int n = 20;
        var x = NetworkTestKit.UnitRows(n, 5, 3);
        var net = SoftplusNet(2, width, 5, 1, 4);
        var r = Expressivity.Measure(Expressivity.Features(net, x));
        Assert.Equal(Math.Min(n, width), r.Rank);
        Assert.Equal(width >= n, r.Holds);
    }

    [Fact]
    public void TwoCoincidingInputsLowerTheRankByOne()
    {
        const int n = 12, width = 30;
        var x = NetworkTestKit.UnitRows(n, 5, 7);
        var net = SoftplusNet(2, width, 5, 1, 8);
        Assert.Equal(n, Expressivity.Measure(Expressivity.Features(net, x)).Rank);
        x.Row(0).CopyTo(x.Row(5));
        var r = Expressivity.Measure(Expressivity.Features(net, x));
        Assert.Equal(n - 1, r.Rank);
        Assert.False(r.Holds);
    }

    [Fact]
    public void TheJacobianOfTheOutputLayerIsTheFeatureMatrix()
    {
        // f = aᵀx^(H) (+ b_out): ∂f(x_i)/∂a = h(x_i), so J_a = Φ row for row.
        var x = NetworkTestKit.UnitRows(9, 4, 5);
        var net = SoftplusNet(2, 13, 4, 1, 6);
        var block = net.Parameters.Select(p => p.Name == "a").ToArray();
        var j = Expressivity.Jacobian(net, x, block);
        var phi = Expressivity.Features(net, x);
        Assert.Equal(phi.Rows, j.Rows);
        Assert.Equal(phi.Cols, j.Cols);
        for (int i = 0; i < phi.Length; i++) Assert.Equal(phi.Data[i], j.Data[i], 1e-14);
    }

    [Fact]
    public void TheJacobianOfAHiddenBlockMatchesFiniteDifferences()
    {
        const int n = 5, c = 3;
        var x = NetworkTestKit.UnitRows(n, 4, 9);
        var net = SoftplusNet(2, 6, 4, c, 10);
        var block = net.Parameters.Select(p => p.Name == "W2").ToArray();
        var j = Expressivity.Jacobian(net, x, block);
        var w2 = net.Parameters.First(p => p.Name == "W2").Value;
        Assert.Equal(n * c, j.Rows);
        Assert.Equal(w2.Length, j.Cols);
        var plus = new double[n * c];
        var minus = new double[n * c];
        const double h = 1e-6;
        foreach (int e in new[] { 0, 7, 20, 35 })
        {
            double keep = w2[e];
            w2[e] = keep + h; net.Forward(x, plus);
            w2[e] = keep - h; net.Forward(x, minus);
            w2[e] = keep;
            for (int row = 0; row < n * c; row++) Assert.Equal((plus[row] - minus[row]) / (2 * h), j[row, e], 1e-8);
        }
    }

    /// <summary>U·diag(σ)·Vᵀ (rows × cols) with orthonormal U, V from Gaussian columns (modified Gram–Schmidt, twice): known singular values.</summary>
    public static Matrix<double> WithSingularValues(int rows, int cols, double[] sigma, ulong seed)
    {
        int k = sigma.Length;
        var u = Orthonormal(rows, k, seed);
        var v = Orthonormal(cols, k, seed + 1);
        var us = new Matrix<double>(rows, k);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < k; j++) us[i, j] = u[i, j] * sigma[j];
        return LinearAlgebra.Multiply(us, false, v, true);
    }

    /// <summary>A rows × cols matrix whose singular values are spaced geometrically from 3 down to 3·ratio, with them.</summary>
    private static (Matrix<double> A, double[] Sigma) GeometricSigma(int rows, int cols, double ratio, ulong seed)
    {
        int k = Math.Min(rows, cols);
        var sigma = Enumerable.Range(0, k).Select(j => 3 * Math.Pow(ratio, j / (k - 1.0))).ToArray();
        return (WithSingularValues(rows, cols, sigma, seed), sigma);
    }

    private static Matrix<double> Orthonormal(int rows, int cols, ulong seed)
    {
        var q = Gaussian(rows, cols, seed);
        for (int pass = 0; pass < 2; pass++)
            for (int j = 0; j < cols; j++)
            {
                for (int p = 0; p < j; p++)
                {
                    double dot = 0;
                    for (int i = 0; i < rows; i++) dot += q[i, p] * q[i, j];
                    for (int i = 0; i < rows; i++) q[i, j] -= dot * q[i, p];
                }
                double norm = Math.Sqrt(Enumerable.Range(0, rows).Sum(i => q[i, j] * q[i, j]));
                for (int i = 0; i < rows; i++) q[i, j] /= norm;
            }
        return q;
    }

    [Theory]
    [InlineData(20, 30)]
    [InlineData(30, 20)]
    public void TheGramIsTheProductOfTheMatrixWithItsTranspose(int rows, int cols)
    {
        var a = Gaussian(rows, cols, 21);
        foreach (bool ofColumns in new[] { false, true })
        {
            var product = ofColumns ? LinearAlgebra.Multiply(a, true, a, false) : LinearAlgebra.Multiply(a, false, a, true);
            foreach (var backend in new[] { Native, Managed })
            {
                var g = backend.Gram(a.Span, rows, cols, ofColumns);
                Assert.Equal(product.Data.Length, g.Length);
                for (int i = 0; i < g.Length; i++) Assert.Equal(product.Data[i], g[i], 1e-12 * Math.Max(rows, cols));
            }
        }
    }

    [Theory]
    [InlineData(20, 30, 1e-1)]
    [InlineData(20, 30, 1e-3)]
    [InlineData(20, 30, 1e-5)]
    [InlineData(30, 20, 1e-5)]
    public void TheGramRouteGivesTheKnownSigmaMinWithinTheSquaredConditionsError(int rows, int cols, double ratio)
    {
        // The Gram route's error is ≈ ½·C·ε·κ relative with C of order r + c.
        var (a, sigma) = GeometricSigma(rows, cols, ratio, 31);
        double kappa = 1 / (ratio * ratio), bound = 0.5 * (rows + cols) * Expressivity.Epsilon * kappa;
        foreach (var backend in new[] { Native, Managed })
        {
            using var _ = LinearAlgebra.Use(backend);
            var e = Expressivity.Extremes(a);
            Assert.False(e.BySvd);
            Assert.True(Math.Abs(e.SigmaMin - sigma[^1]) <= bound * sigma[^1], $"σ_min {e.SigmaMin:R} vs {sigma[^1]:R}: relative error {Math.Abs(e.SigmaMin / sigma[^1] - 1):G3} > {bound:G3}");
            Assert.Equal(sigma[0], e.SigmaMax, 1e-12 * sigma[0]);
            Assert.Equal(Expressivity.Measure(a).SigmaMin, e.SigmaMin, bound * sigma[^1]);
        }
    }

    [Fact]
    public void BelowTheFloorTheSvdGivesSigmaMin()
    {
        // σ_min/σ_max = 1e-8: κ = 1e16, where λ_min(AAᵀ) is rounding noise; the SVD resolves σ_min to ~ε·σ_max.
        var sigma = Enumerable.Range(0, 20).Select(j => j == 19 ? 2e-8 : 2 - j * 0.05).ToArray();
        var a = WithSingularValues(20, 30, sigma, 41);
        foreach (var backend in new[] { Native, Managed })
        {
            using var _ = LinearAlgebra.Use(backend);
            var e = Expressivity.Extremes(a);
            Assert.True(e.BySvd);
            Assert.Equal(sigma[^1], e.SigmaMin, 1e-13 * sigma[0]);
            Assert.Equal(sigma[0], e.SigmaMax, 1e-13 * sigma[0]);
        }
    }

    [Fact]
    public void ARankDeficientMatrixFallsBackToTheSvd()
    {
        var a = LinearAlgebra.Multiply(Gaussian(7, 3, 1), false, Gaussian(3, 12, 2), false);
        var e = Expressivity.Extremes(a);
        Assert.True(e.BySvd);
        Assert.True(e.SigmaMin < Expressivity.Measure(a).Tolerance);
    }

    [Theory]
    [InlineData(20, 30, 1e-1)]
    [InlineData(20, 30, 1e-4)]
    [InlineData(40, 40, 1e-3)]
    public void TheCholeskyCertificateHoldsBelowTheKnownSigmaMinAndNeverAboveIt(int rows, int cols, double ratio)
    {
        // Known σ from 3 down to 3·ratio. Bounds a little below σ_min are certified; bounds at or above it never are (a
        // certificate there would be a false proof). The margin below is the shift δ/σ_min² ≈ (r + c)ε·tr/σ_min² plus the
        // Gram's rounding, far under 1 % here.
        var (a, sigma) = GeometricSigma(rows, cols, ratio, 51);
        double min = sigma[^1];
        foreach (var backend in new[] { Native, Managed })
        {
            using var _ = LinearAlgebra.Use(backend);
            Assert.True(Expressivity.CertifiesSigmaMinAbove(a, 0));
            Assert.True(Expressivity.CertifiesSigmaMinAbove(a, 0.5 * min));
            Assert.True(Expressivity.CertifiesSigmaMinAbove(a, 0.99 * min), $"{backend.Name}: 0.99·σ_min not certified");
            foreach (double f in new[] { 1.0, 1.0 + 1e-9, 1.01, 2.0 })
                Assert.False(Expressivity.CertifiesSigmaMinAbove(a, f * min), $"{backend.Name}: certified σ_min > {f}·σ_min");
        }
    }

    [Fact]
    public void ARankDeficientMatrixIsNeverCertified()
    {
        var a = LinearAlgebra.Multiply(Gaussian(7, 3, 1), false, Gaussian(3, 12, 2), false);
        foreach (var backend in new[] { Native, Managed })
        {
            using var _ = LinearAlgebra.Use(backend);
            Assert.False(Expressivity.CertifiesSigmaMinAbove(a, 0));
            Assert.False(Expressivity.CertifiesSigmaMinAbove(a, 1e-300));
        }
        Assert.Throws<ArgumentException>(() => Expressivity.CertifiesSigmaMinAbove(Gaussian(12, 7, 3), 0));
    }

    [Fact]
    public void BothBackendsCholeskyFactorsReproduceTheMatrix()
    {
        var b = Gaussian(9, 14, 4);
        var g = LinearAlgebra.Multiply(b, false, b, true);
        foreach (var backend in new[] { Native, Managed })
        {
            var r = g.Data.ToArray();
            Assert.True(backend.Cholesky(r, 9));
            for (int i = 0; i < 9; i++)
                for (int j = i; j < 9; j++)
                {
                    double sum = 0;
                    for (int p = 0; p <= i; p++) sum += r[p * 9 + i] * r[p * 9 + j];      // (RᵀR)_ij, R upper (row-major)
                    Assert.Equal(g[i, j], sum, 1e-12 * g[i, i]);
                }
            var shifted = g.Data.ToArray();
            double lambdaMin = LinearAlgebra.SymmetricEigenvalues(g)[0];
            for (int i = 0; i < 9; i++) shifted[i * 9 + i] -= 1.001 * lambdaMin;
            Assert.False(backend.Cholesky(shifted, 9), $"{backend.Name}: factored a matrix with a negative eigenvalue");
        }
    }

    [Fact]
    public void OnSoftplusFeaturesTheGramRouteAgreesWithTheSvd()
    {
        const int n = 40;
        var net = SoftplusNet(2, 64, 5, 3, 12);
        var phi = Expressivity.Features(net, NetworkTestKit.UnitRows(n, 5, 13));
        var svd = Expressivity.Measure(phi);
        var e = Expressivity.Extremes(phi);
        Assert.False(e.BySvd);
        double bound = 0.5 * (phi.Rows + phi.Cols) * Expressivity.Epsilon * svd.Kappa;
        Assert.Equal(svd.SigmaMin, e.SigmaMin, bound * svd.SigmaMin);
        Assert.Equal(svd.SigmaMax, e.SigmaMax, 1e-12 * svd.SigmaMax);
    }
}
