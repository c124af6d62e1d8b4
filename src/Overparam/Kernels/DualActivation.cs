using System.Numerics;
using Overparam.Activations;
using Overparam.Numerics;

namespace Overparam.Kernels;

/// <summary>
/// The two Gaussian expectations every kernel recursion needs, for all pairs of a covariance matrix C at once:
/// E[σ(u)σ(v)] and E[σ′(u)σ′(v)] with (u, v) ∼ N(0, [[C_ii, C_ij], [C_ji, C_jj]]), and E[σ(u)] with u ∼ N(0, C_ii).
/// ReLU uses the arc-cosine closed forms; smooth activations use the Mehler series (n(n+1)/2 SIMD Horner loops)
/// with a per-pair tensor-quadrature fallback wherever the series' truncation bound is not met.
/// </summary>
public sealed class DualActivation
{
    public Activation Sigma { get; }
    public KernelOptions Options { get; }

    private readonly BivariateGaussian quadrature;
    private readonly BivariateGaussian fallback;
    private readonly MehlerExpansion? expansion;
    private long fallbacks;

    /// <summary>Pairs sent to quadrature by the fast path since construction.</summary>
    public long Fallbacks => Interlocked.Read(ref fallbacks);

    public DualActivation(Activation sigma, KernelOptions? options = null)
    {
        Sigma = sigma;
        Options = options ?? KernelOptions.Default;
        quadrature = Options.QuadratureDegree == BivariateGaussian.DefaultDegree ? BivariateGaussian.Default : new BivariateGaussian(Options.QuadratureDegree);
        fallback = Options.FallbackQuadratureDegree == quadrature.Degree ? quadrature : new BivariateGaussian(Options.FallbackQuadratureDegree);
        if (Options.UseMehler && sigma is not Relu)
            expansion = Options.MehlerOrder == MehlerExpansion.DefaultOrder ? MehlerExpansion.Default : new MehlerExpansion(Options.MehlerOrder);
    }

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
        var co = expansion.Compute(Sigma, diag);
        if (mean is not null) Array.Copy(co.SigmaMean, mean, n);
        if (sigmaSigma is null && primePrime is null) return;
        EvaluateMehler(cov, diag, co, sigmaSigma, primePrime);
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

    private sealed class RowBuffers(int n, BivariateGaussian q)
    {
        public readonly double[] Rho = new double[n];
        public readonly double[] S = new double[n];
        public readonly double[] P = new double[n];
        public readonly BivariateGaussian.Workspace Quad = q.NewWorkspace();
    }

    private void EvaluateMehler(Matrix<double> cov, double[] diag, MehlerExpansion.Coefficients co,
        Matrix<double>? ssOut, Matrix<double>? ppOut)
    {
        int n = cov.Rows, order = co.EffectiveOrder, width = Vector<double>.Count;
        double[] cs = co.Sigma, cp = co.Prime;
        double tol = Options.PairTolerance;
        Parallel.For(0, n, Parallelism, () => new RowBuffers(n, fallback), (i, _, buf) =>
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
            // The diagonal is the exact one-dimensional moment; pairs whose truncation bound √(T_i T_j)|ρ|^(order+1)
            // exceeds tol·√(E_i E_j) are redone by tensor quadrature.
            sOut[i] = co.SigmaSquare[i]; pOut[i] = co.PrimeSquare[i];
            bool rowPrepared = false;
            for (int j = i + 1; j < n; j++)
            {
                double ts = Math.Sqrt(co.SigmaTail[i] * co.SigmaTail[j]), tp = Math.Sqrt(co.PrimeTail[i] * co.PrimeTail[j]);
                double ls = tol * Math.Sqrt(co.SigmaSquare[i] * co.SigmaSquare[j]), lp = tol * Math.Sqrt(co.PrimeSquare[i] * co.PrimeSquare[j]);
                if (ts <= ls && tp <= lp) continue;
                double decay = Math.Pow(Math.Abs(rho[j]), order + 1);
                if (ts * decay <= ls && tp * decay <= lp) continue;
                if (!rowPrepared) { fallback.PrepareRow(Sigma, a, buf.Quad); rowPrepared = true; }
                fallback.Pair(Sigma, a, diag[j], cov[i, j], buf.Quad, out sOut[j], out pOut[j]);
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
