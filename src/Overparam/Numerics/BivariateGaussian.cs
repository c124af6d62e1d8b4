using Overparam.Activations;

namespace Overparam.Numerics;

/// <summary>
/// Expectations over a centred bivariate Gaussian (u, v) ∼ N(0, [[a, c], [c, b]]) by tensor Gauss–Hermite quadrature
/// through the Cholesky factor (docs/mathematics.md §4.6): u = √a z₁, v = √b (ρ z₁ + √(1 − ρ²) z₂), ρ = c/√(ab) clamped to
/// [−1, 1] (ρ = 0 when a or b is 0), so |ρ| → 1 and degenerate variances give no NaN.
/// Cost: Degree² evaluations of g per pair. This is the reference method; <see cref="MehlerExpansion"/> is the fast one.
/// </summary>
public sealed class BivariateGaussian
{
    /// <summary>
    /// Nodes per axis (the reference values of docs/mathematics.md §9 used 96). Measured against a 300-node rule: softplus and sigmoid agree to
    /// ≤ 3e-12 for variances up to 4 and every ρ ∈ [−1, 1] (≤ 1e-15 for variances ≤ 2); GELU and SiLU to ≤ 1e-9; tanh,
    /// whose poles at ±iπ/2 slow every Gauss rule, to 1e-11 at unit variance but only 6e-6 at variance 4.
    /// </summary>
    public const int DefaultDegree = 96;

    public int Degree { get; }
    public double[] Nodes { get; }
    public double[] Weights { get; }

    public BivariateGaussian(int degree = DefaultDegree)
    {
        var rule = GaussHermite.ForStandardNormal(degree);
        Degree = degree; Nodes = rule.Nodes; Weights = rule.Weights;
    }

    private static BivariateGaussian? shared;

    /// <summary>The <see cref="DefaultDegree"/> rule, shared.</summary>
    public static BivariateGaussian Default => shared ??= new BivariateGaussian();

    /// <summary>ρ = c/√(ab) clamped to [−1, 1]; 0 when a or b is not positive.</summary>
    public static double Correlation(double a, double b, double c)
    {
        if (!(a > 0) || !(b > 0)) return 0;
        double rho = c / Math.Sqrt(a * b);
        return rho > 1 ? 1 : rho < -1 ? -1 : double.IsNaN(rho) ? 0 : rho;
    }

    /// <summary>E[f(u)], u ∼ N(0, a).</summary>
    public double Expect(Func<double, double> f, double a)
    {
        double sa = Math.Sqrt(Math.Max(a, 0)), s = 0;
        for (int k = 0; k < Degree; k++) s += Weights[k] * f(sa * Nodes[k]);
        return s;
    }

    /// <summary>E[f(u) g(v)], (u, v) ∼ N(0, [[a, c], [c, b]]).</summary>
    public double Expect(Func<double, double> f, Func<double, double> g, double a, double b, double c)
    {
        double rho = Correlation(a, b, c), s2 = Math.Sqrt(Math.Max(0, 1 - rho * rho));
        double sa = Math.Sqrt(Math.Max(a, 0)), sb = Math.Sqrt(Math.Max(b, 0)), total = 0;
        for (int k = 0; k < Degree; k++)
        {
            double inner = 0, z1 = Nodes[k];
            for (int l = 0; l < Degree; l++) inner += Weights[l] * g(sb * (rho * z1 + s2 * Nodes[l]));
            total += Weights[k] * f(sa * z1) * inner;
        }
        return total;
    }

    /// <summary>Per-thread buffers for <see cref="PrepareRow"/> and <see cref="Pair"/>; no allocation per pair.</summary>
    public sealed class Workspace
    {
        internal readonly double[] RowSigma, RowPrime, Grid, GridSigma, GridPrime;

        public Workspace(int degree)
        {
            RowSigma = new double[degree]; RowPrime = new double[degree];
            Grid = new double[degree * degree]; GridSigma = new double[degree * degree]; GridPrime = new double[degree * degree];
        }
    }

    public Workspace NewWorkspace() => new(Degree);

    /// <summary>Caches σ(√a z_k) and σ′(√a z_k) for the first variable of the following <see cref="Pair"/> calls.</summary>
    public void PrepareRow(Activation sigma, double a, Workspace ws)
    {
        double sa = Math.Sqrt(Math.Max(a, 0));
        var u = ws.Grid.AsSpan(0, Degree);
        for (int k = 0; k < Degree; k++) u[k] = sa * Nodes[k];
        sigma.Evaluate<double>(u, ws.RowSigma, ws.RowPrime);
    }

    /// <summary>
    /// E[σ(u)σ(v)] and E[σ′(u)σ′(v)] for (u, v) ∼ N(0, [[a, c], [c, b]]), where a is the variance given to the last
    /// <see cref="PrepareRow"/> call on this workspace.
    /// </summary>
    public void Pair(Activation sigma, double a, double b, double c, Workspace ws, out double sigmaSigma, out double primePrime)
    {
        int n = Degree;
        double rho = Correlation(a, b, c), s2 = Math.Sqrt(Math.Max(0, 1 - rho * rho)), sb = Math.Sqrt(Math.Max(b, 0));
        double p = sb * rho, q = sb * s2;
        var grid = ws.Grid;
        for (int k = 0; k < n; k++)
        {
            double shift = p * Nodes[k];
            int o = k * n;
            for (int l = 0; l < n; l++) grid[o + l] = shift + q * Nodes[l];
        }
        sigma.Evaluate<double>(grid, ws.GridSigma, ws.GridPrime);
        double ss = 0, pp = 0;
        var w = Weights.AsSpan();
        for (int k = 0; k < n; k++)
        {
            double innerS = System.Numerics.Tensors.TensorPrimitives.Dot<double>(w, ws.GridSigma.AsSpan(k * n, n));
            double innerP = System.Numerics.Tensors.TensorPrimitives.Dot<double>(w, ws.GridPrime.AsSpan(k * n, n));
            ss += w[k] * ws.RowSigma[k] * innerS;
            pp += w[k] * ws.RowPrime[k] * innerP;
        }
        sigmaSigma = ss; primePrime = pp;
    }

    /// <summary>
    /// For every pair (i, j) of a covariance matrix C (n×n): E[σ(u)σ(v)] and E[σ′(u)σ′(v)] with
    /// (u, v) ∼ N(0, [[C_ii, C_ij], [C_ji, C_jj]]). Rows run in parallel; either output may be null.
    /// </summary>
    public void AllPairs(Activation sigma, Matrix<double> cov, Matrix<double>? sigmaSigma, Matrix<double>? primePrime)
    {
        int n = cov.Rows;
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = Chunks.Threads }, NewWorkspace, (i, _, ws) =>
        {
            double a = cov[i, i];
            PrepareRow(sigma, a, ws);
            for (int j = i; j < n; j++)
            {
                Pair(sigma, a, cov[j, j], cov[i, j], ws, out double ss, out double pp);
                if (sigmaSigma is not null) sigmaSigma[i, j] = sigmaSigma[j, i] = ss;
                if (primePrime is not null) primePrime[i, j] = primePrime[j, i] = pp;
            }
            return ws;
        }, _ => { });
    }
}
