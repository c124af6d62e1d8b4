using System.Numerics;
using Overparam.Activations;
using Overparam.Numerics;

namespace Overparam.Kernels;

/// <summary>
/// The two Gaussian expectations every kernel recursion needs, for all pairs of a covariance matrix C at once:
/// E[σ(u)σ(v)] and E[σ′(u)σ′(v)] with (u, v) ∼ N(0, [[C_ii, C_ij], [C_ji, C_jj]]), and E[σ(u)] with u ∼ N(0, C_ii).
/// ReLU uses the arc-cosine closed forms; smooth activations use the Mehler series (n(n+1)/2 SIMD Horner loops)
/// wherever its truncation bound is met relative to the pair's distance from parallel, and otherwise — always for the
/// diagonal and equal inputs — <see cref="ConditionalQuadrature"/>, whose ρ → ±1 limit is the diagonal's rule
/// (docs/mathematics.md §4.6).
/// </summary>
public sealed class DualActivation
{
    public Activation Sigma { get; }
    public KernelOptions Options { get; }

    private readonly BivariateGaussian quadrature;
    private readonly MehlerExpansion? expansion;
    private long fallbacks;

    /// <summary>Off-diagonal pairs sent to <see cref="ConditionalQuadrature"/> by the fast path since construction.</summary>
    public long Fallbacks => Interlocked.Read(ref fallbacks);

    public DualActivation(Activation sigma, KernelOptions? options = null)
    {
        Sigma = sigma;
        Options = options ?? KernelOptions.Default;
        quadrature = Options.QuadratureDegree == BivariateGaussian.DefaultDegree ? BivariateGaussian.Default : new BivariateGaussian(Options.QuadratureDegree);
        if (Options.UseMehler && sigma is not Relu)
            expansion = Options.MehlerOrder == MehlerExpansion.DefaultOrder ? MehlerExpansion.Default : new MehlerExpansion(Options.MehlerOrder);
    }

    private const double Ulp = 1.0 / (1L << 52);   // 2^−52

    private static ParallelOptions Parallelism => new() { MaxDegreeOfParallelism = Chunks.Threads };

    /// <summary>Fills the requested outputs (any may be null) for covariance <paramref name="cov"/> (n×n, symmetric).</summary>
    public void Evaluate(Matrix<double> cov, Matrix<double>? sigmaSigma, Matrix<double>? primePrime, double[]? mean)
    {
        int n = cov.Rows;
        if (Sigma is Relu) { EvaluateRelu(cov, sigmaSigma, primePrime, mean); return; }
        if (expansion is null)
        {
            if (sigmaSigma is not null || primePrime is not null) quadrature.AllPairs(Sigma, cov, sigmaSigma, primePrime);
            if (mean is not null) for (int i = 0; i < n; i++) mean[i] = quadrature.Expect(Sigma.Value, cov[i, i]);
            return;
        }
        var diag = new double[n];
        for (int i = 0; i < n; i++) diag[i] = cov[i, i];
        var levels = Levels(diag);
        var co = expansion.Compute(Sigma, diag, levels);
        if (mean is not null) Array.Copy(co.SigmaMean, mean, n);
        if (sigmaSigma is null && primePrime is null) return;
        EvaluateMehler(cov, diag, levels, co, sigmaSigma, primePrime);
    }

    /// <summary>The converged trapezoid level of every variance (computed once per distinct value).</summary>
    private int[] Levels(double[] diag)
    {
        var distinct = diag.Distinct().ToArray();
        var level = new int[distinct.Length];
        Parallel.For(0, distinct.Length, Parallelism, k => level[k] = ConditionalQuadrature.Level(Sigma, distinct[k]));
        var byValue = new Dictionary<double, int>();
        for (int k = 0; k < distinct.Length; k++) byValue[distinct[k]] = level[k];
        return diag.Select(a => byValue[a]).ToArray();
    }

    private void EvaluateRelu(Matrix<double> cov, Matrix<double>? ss, Matrix<double>? pp, double[]? mean)
    {
        int n = cov.Rows;
        if (mean is not null) for (int i = 0; i < n; i++) mean[i] = ClosedForms.ReluMean(cov[i, i]);
        Parallel.For(0, n, Parallelism, i =>
        {
            double a = cov[i, i];
            for (int j = i; j < n; j++)
            {
                double b = cov[j, j], c = cov[i, j];
                if (ss is not null) ss[i, j] = ss[j, i] = ClosedForms.ReluReluExpectation(a, b, c);
                if (pp is not null) pp[i, j] = pp[j, i] = ClosedForms.StepStepExpectation(a, b, c);
            }
        });
    }

    private sealed class RowBuffers(int n)
    {
        public readonly double[] Rho = new double[n];
        public readonly double[] S = new double[n];
        public readonly double[] P = new double[n];
        public readonly ConditionalQuadrature.Workspace Quad = new();
    }

    private void EvaluateMehler(Matrix<double> cov, double[] diag, int[] levels, MehlerExpansion.Coefficients co,
        Matrix<double>? ssOut, Matrix<double>? ppOut)
    {
        int n = cov.Rows, order = co.EffectiveOrder, width = Vector<double>.Count;
        double[] cs = co.Sigma, cp = co.Prime;
        double tol = Options.PairTolerance;
        Parallel.For(0, n, Parallelism, () => new RowBuffers(n), (i, _, buf) =>
        {
            double a = diag[i];
            var rho = buf.Rho; var sOut = buf.S; var pOut = buf.P;
            for (int j = i; j < n; j++) rho[j] = BivariateGaussian.Correlation(a, diag[j], cov[i, j]);
            // Σ_k c_k[i] c_k[j] ρ_ij^k by Horner, |Vector| samples j at a time, both functions in one pass.
            int j0 = i;
            for (; j0 + width <= n; j0 += width)
            {
                var r = new Vector<double>(rho, j0);
                var s = Vector<double>.Zero; var p = Vector<double>.Zero;
                for (int k = order; k >= 0; k--)
                {
                    int o = k * n;
                    s = s * r + cs[o + i] * new Vector<double>(cs, o + j0);
                    p = p * r + cp[o + i] * new Vector<double>(cp, o + j0);
                }
                s.CopyTo(sOut, j0); p.CopyTo(pOut, j0);
            }
            for (; j0 < n; j0++)
            {
                sOut[j0] = MehlerExpansion.Series(cs, n, order, i, j0, rho[j0]);
                pOut[j0] = MehlerExpansion.Series(cp, n, order, i, j0, rho[j0]);
            }
            // The diagonal, and every pair whose error bound √(T_i T_j)|ρ|^(order+1) + ulp·√(E_i E_j) (truncation plus the
            // series' own rounding) exceeds tol·(1 − |ρ|)·√(E_i E_j) — relative to the pair's distance from parallel, which
            // is what λ₀ is made of — use the conditional rule at the finer of the two levels; at ρ = ±1 that rule is the
            // diagonal's. So pairs within ~0.02 rad of parallel never use the series.
            ConditionalQuadrature.Pair(Sigma, a, a, a, levels[i], buf.Quad, out sOut[i], out pOut[i]);
            for (int j = i + 1; j < n; j++)
            {
                double es = Math.Sqrt(co.SigmaSquare[i] * co.SigmaSquare[j]), ep = Math.Sqrt(co.PrimeSquare[i] * co.PrimeSquare[j]);
                double ts = Math.Sqrt(co.SigmaTail[i] * co.SigmaTail[j]), tp = Math.Sqrt(co.PrimeTail[i] * co.PrimeTail[j]);
                double r = Math.Abs(rho[j]), ls = (tol * (1 - r) - Ulp) * es, lp = (tol * (1 - r) - Ulp) * ep;
                if (ts <= ls && tp <= lp) continue;
                double decay = Math.Pow(r, order + 1);
                if (ts * decay <= ls && tp * decay <= lp) continue;
                ConditionalQuadrature.Pair(Sigma, a, diag[j], cov[i, j], Math.Max(levels[i], levels[j]), buf.Quad, out sOut[j], out pOut[j]);
                Interlocked.Increment(ref fallbacks);
            }
            for (int j = i; j < n; j++)
            {
                if (ssOut is not null) ssOut[i, j] = ssOut[j, i] = sOut[j];
                if (ppOut is not null) ppOut[i, j] = ppOut[j, i] = pOut[j];
            }
            return buf;
        }, _ => { });
    }
}
