using Overparam.Activations;

namespace Overparam.Numerics;

/// <summary>
/// The fast method for bivariate Gaussian expectations of an activation: Mehler's formula
/// E[f(√a z₁) g(√b z₂)] = Σ_k ρ^k f̂_k ĝ_k for standard (z₁, z₂) with correlation ρ, where f̂_k = E[f(√a z) h_k(z)]
/// and h_k = He_k/√k! are the orthonormal (probabilists') Hermite polynomials.
/// The coefficients depend on one variance only, so they are computed once per sample (n × (Order+1) numbers) and
/// every pair then costs Order+1 multiply-adds instead of a two-dimensional quadrature.
/// The truncation error after Order is at most √(T_f T_g) |ρ|^(Order+1) (Cauchy–Schwarz), with the tails
/// T_f = E[f²] − Σ_k f̂_k² reported per sample, so callers can fall back to <see cref="ConditionalQuadrature"/> pair by pair.
/// The projections use the <see cref="GaussianTrapezoid"/> rule on [−13, 13] (the integrand f h_k φ carries a factor
/// e^{−z²/4}) with a step that resolves every sample's variance (docs/mathematics.md §4.6); a fixed Gauss–Hermite rule
/// does not converge for tanh at large variance (300 nodes: coefficients of sech²(2z) off by 6e−7).
/// </summary>
public sealed class MehlerExpansion
{
    /// <summary>Highest Hermite degree kept (default chosen by measurement, see the Kernels tests).</summary>
    public const int DefaultOrder = 192;

    /// <summary>Cut-off of the projection rule: √φ(13) ≈ 3e−19.</summary>
    public const double Cutoff = 13;

    /// <summary>
    /// Coarsest projection level (step 1/8: resolves h_k up to Order, whose oscillation is ~√(2k) ≤ 20 ≪ 2π/h) and finest
    /// (step 1/64, 1665 nodes); samples whose variance needs a finer step get an infinite tail, so all their pairs use quadrature.
    /// </summary>
    public const int MinLevel = 3, MaxLevel = 6;

    /// <summary>Relative energy that <see cref="Coefficients.EffectiveOrder"/> may drop (added to the tails).</summary>
    public const double TrimEnergy = 1e-26;

    public int Order { get; }

    // psi[level][k, l] = √w_l h_k(z_l), row-major [(Order+1) × nodes]; computed by the three-term recurrence started
    // from √w_l, so neither h_k(z_l) (huge in the tails) nor w_l (tiny) is ever formed alone.
    private readonly Matrix<double>?[] psi = new Matrix<double>?[MaxLevel + 1];

    public MehlerExpansion(int order = DefaultOrder)
    {
        if (order < 0) throw new ArgumentOutOfRangeException(nameof(order));
        Order = order;
    }

    private Matrix<double> Psi(GaussianTrapezoid rule)
    {
        lock (psi)
        {
            if (psi[rule.Level] is { } cached) return cached;
            int nq = rule.Nodes.Length;
            var m = new Matrix<double>(Order + 1, nq);
            for (int l = 0; l < nq; l++)
            {
                double z = rule.Nodes[l], prev = 0, cur = Math.Sqrt(rule.Weights[l]);
                m[0, l] = cur;
                for (int k = 0; k < Order; k++)
                {
                    double next = (z * cur - Math.Sqrt(k) * prev) / Math.Sqrt(k + 1);   // h_{k+1} = (z h_k − √k h_{k−1})/√(k+1)
                    prev = cur; cur = next;
                    m[k + 1, l] = cur;
                }
            }
            return psi[rule.Level] = m;
        }
    }

    private static MehlerExpansion? shared;

    /// <summary>The default expansion, shared.</summary>
    public static MehlerExpansion Default => shared ??= new MehlerExpansion();

    /// <summary>
    /// Hermite coefficients of σ(√a_i z) and σ′(√a_i z) for each variance a_i, stored degree-major
    /// (Sigma[k * n + i]) so that a pair loop can read consecutive samples j as one SIMD vector.
    /// </summary>
    public sealed class Coefficients
    {
        public required int Count { get; init; }
        public required int Order { get; init; }
        /// <summary>f̂_k for sample i at [k * Count + i].</summary>
        public required double[] Sigma { get; init; }
        /// <summary>ĝ_k of σ′ for sample i at [k * Count + i].</summary>
        public required double[] Prime { get; init; }
        /// <summary>E[σ(u)²], u ∼ N(0, a_i), on the projection rule (what the tails are measured against).</summary>
        public required double[] SigmaSquare { get; init; }
        public required double[] PrimeSquare { get; init; }
        /// <summary>E[σ(u)] = f̂_0.</summary>
        public required double[] SigmaMean { get; init; }
        /// <summary>T_i = E[σ²] − Σ_{k ≤ Order} f̂_k² ≥ 0, the truncated energy.</summary>
        public required double[] SigmaTail { get; init; }
        public required double[] PrimeTail { get; init; }
        /// <summary>
        /// The order actually needed: coefficients above it carry energy ≤ TrimEnergy·E[f²] for every sample and both
        /// functions (that energy is added to the tails, so the per-pair bound still holds); the pair loops stop here.
        /// </summary>
        public required int EffectiveOrder { get; init; }
    }

    /// <summary>
    /// The coefficients for the given variances (computed with one GEMM per function), projected with the rule of level
    /// max(<see cref="MinLevel"/>, max_i levels[i]) capped at <see cref="MaxLevel"/>; levels[i] is the step level that
    /// resolves variance i (<see cref="ConditionalQuadrature.Level"/>), and samples above the cap get infinite tails.
    /// </summary>
    public Coefficients Compute(Activation sigma, ReadOnlySpan<double> variances, ReadOnlySpan<int> levels)
    {
        int top = MinLevel;
        foreach (int l in levels) top = Math.Max(top, l);
        var rule = GaussianTrapezoid.For(Math.Min(top, MaxLevel), Cutoff);
        var nodes = rule.Nodes;
        var sqrtWeights = rule.Weights.Select(Math.Sqrt).ToArray();
        var psi = Psi(rule);
        int n = variances.Length, nq = nodes.Length, kk = Order + 1;
        var f = new Matrix<double>(n, nq);
        var g = new Matrix<double>(n, nq);
        var z = new double[nq];
        var ss = new double[n]; var pp = new double[n];
        for (int i = 0; i < n; i++)
        {
            double sa = Math.Sqrt(Math.Max(variances[i], 0));
            for (int l = 0; l < nq; l++) z[l] = sa * nodes[l];
            var fr = f.Row(i); var gr = g.Row(i);
            sigma.Evaluate<double>(z, fr, gr);
            double s2 = 0, p2 = 0;
            for (int l = 0; l < nq; l++)
            {
                fr[l] *= sqrtWeights[l]; gr[l] *= sqrtWeights[l];
                s2 += fr[l] * fr[l]; p2 += gr[l] * gr[l];
            }
            ss[i] = s2; pp[i] = p2;
        }
        // [kk × n] = psi [kk × nq] · fᵀ [nq × n]
        var cs = new Matrix<double>(kk, n);
        var cp = new Matrix<double>(kk, n);
        LinearAlgebra.Gemm(psi, false, f, true, cs, 1.0, 0.0);
        LinearAlgebra.Gemm(psi, false, g, true, cp, 1.0, 0.0);
        var ts = new double[n]; var tp = new double[n]; var mean = new double[n];
        for (int i = 0; i < n; i++)
        {
            double es = 0, ep = 0;
            for (int k = 0; k < kk; k++) { es += cs.Data[k * n + i] * cs.Data[k * n + i]; ep += cp.Data[k * n + i] * cp.Data[k * n + i]; }
            ts[i] = Math.Max(0, ss[i] - es); tp[i] = Math.Max(0, pp[i] - ep);
            mean[i] = cs.Data[i];
        }
        // Trim: lower the order while the dropped energy stays ≤ 1e-26 E[σ²] (and likewise for σ′) for every sample,
        // i.e. a truncation error ≤ 1e-13 relative; the projection's own noise floor is ~1e-16 per coefficient.
        var dropS = new double[n]; var dropP = new double[n];
        int effective = Order;
        while (effective > 0)
        {
            int k = effective;
            bool ok = true;
            for (int i = 0; i < n && ok; i++)
            {
                double a = cs.Data[k * n + i], b = cp.Data[k * n + i];
                ok = dropS[i] + a * a <= TrimEnergy * ss[i] && dropP[i] + b * b <= TrimEnergy * pp[i];
            }
            if (!ok) break;
            for (int i = 0; i < n; i++) { dropS[i] += cs.Data[k * n + i] * cs.Data[k * n + i]; dropP[i] += cp.Data[k * n + i] * cp.Data[k * n + i]; }
            effective--;
        }
        for (int i = 0; i < n; i++)
        {
            ts[i] += dropS[i]; tp[i] += dropP[i];
            if (levels[i] > MaxLevel) ts[i] = tp[i] = double.PositiveInfinity;   // not resolved by the projection rule
        }
        return new Coefficients
        {
            Count = n, Order = Order, Sigma = cs.Data, Prime = cp.Data, SigmaSquare = ss, PrimeSquare = pp,
            SigmaMean = mean, SigmaTail = ts, PrimeTail = tp, EffectiveOrder = effective,
        };
    }

    /// <summary>Σ_{k ≤ Order} c_k[i] c_k[j] ρ^k for one pair (scalar Horner; the kernels use a SIMD loop over j).</summary>
    public static double Series(double[] c, int count, int order, int i, int j, double rho)
    {
        double s = 0;
        for (int k = order; k >= 0; k--) s = s * rho + c[k * count + i] * c[k * count + j];
        return s;
    }
}
