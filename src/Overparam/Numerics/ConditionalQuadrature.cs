using Overparam.Activations;

namespace Overparam.Numerics;

/// <summary>
/// E[σ(u)σ(v)] and E[σ′(u)σ′(v)] for (u, v) ∼ N(0, [[a, c], [c, b]]) by integrating v given u (docs/mathematics.md §4.6):
/// with u = √a z₁ and v = √b (ρ z₁ + s z₂), s = √((1 − ρ)(1 + ρ)),
/// <code>
///   E[σ(u) σ(v)] = E_{z₁}[ σ(√a z₁) G(z₁) ],   G(z₁) = σ(x) + E_{z₂}[σ(x + ε z₂) − σ(x)],   x = √b ρ z₁, ε = √b s
/// </code>
/// Both integrals use <see cref="GaussianTrapezoid"/>. The outer step is the one <see cref="Level"/> finds converged for
/// E[σ²] and E[σ′²] at the larger variance; the inner integrand is σ at scale ε = s√b instead of √b, so its step is
/// the outer one divided by s (at most ½), and it has few nodes exactly where ρ is near ±1. At s = 0 the correction is
/// exactly 0 and the rule is the one-dimensional rule of the diagonal, E[σ(√a z)²] on the same nodes: a pair and its
/// parallel limit are evaluated by one rule, so E[σ(u)²] − E[σ(u)σ(v)] → 0 smoothly (exactly 0 for equal inputs).
/// </summary>
public sealed class ConditionalQuadrature
{
    /// <summary>Cut-off of both integrals: φ(10)·10² ≈ 8e−21, below every relative error this rule aims at.</summary>
    public const double Cutoff = 10;

    /// <summary>
    /// Accept level m once E[σ²] and E[σ′²] moved by at most this (relative) from level m − 1; the error of level m is
    /// then about the square of it (the trapezoid's error squares with each halving, see <see cref="GaussianTrapezoid"/>).
    /// </summary>
    public const double LevelTolerance = 1e-9;

    /// <summary>Per-thread buffers; no allocation per pair.</summary>
    public sealed class Workspace
    {
        internal double[] U = [], SigmaU = [], PrimeU = [], X = [], SigmaX = [], PrimeX = [], Grid = [], GridSigma = [], GridPrime = [];

        internal static void Ensure(ref double[] buffer, int length) { if (buffer.Length < length) buffer = new double[length]; }
    }

    /// <summary>
    /// The coarsest level m ≥ 1 at which E[σ(√a z)²] and E[σ′(√a z)²] agree with level m − 1 to <see cref="LevelTolerance"/>
    /// (relative); <see cref="GaussianTrapezoid.MaxLevel"/> if none does (variances beyond ~1e5 for tanh). 1 for a
    /// variance that is not finite (every expectation is then NaN or ∞ anyway).
    /// </summary>
    public static int Level(Activation sigma, double a)
    {
        if (!double.IsFinite(a)) return 1;
        var ws = new Workspace();
        Pair(sigma, a, a, a, 0, ws, out double s0, out double p0);
        for (int m = 1; m <= GaussianTrapezoid.MaxLevel; m++)
        {
            Pair(sigma, a, a, a, m, ws, out double s1, out double p1);
            if (Math.Abs(s1 - s0) <= LevelTolerance * Math.Abs(s1) && Math.Abs(p1 - p0) <= LevelTolerance * Math.Abs(p1)) return m;
            s0 = s1; p0 = p1;
        }
        return GaussianTrapezoid.MaxLevel;
    }

    /// <summary>The two expectations with the outer rule of the given level (for a pair: the larger of the two variances' <see cref="Level"/>s).</summary>
    public static void Pair(Activation sigma, double a, double b, double c, int level, Workspace ws, out double sigmaSigma, out double primePrime)
    {
        var outer = GaussianTrapezoid.For(level, Cutoff);
        int nk = outer.Nodes.Length;
        double rho = BivariateGaussian.Correlation(a, b, c), s = Math.Sqrt(Math.Max(0, (1 - rho) * (1 + rho)));
        double sa = Math.Sqrt(Math.Max(a, 0)), sb = Math.Sqrt(Math.Max(b, 0)), eps = sb * s;
        Workspace.Ensure(ref ws.U, nk); Workspace.Ensure(ref ws.SigmaU, nk); Workspace.Ensure(ref ws.PrimeU, nk);
        Workspace.Ensure(ref ws.X, nk); Workspace.Ensure(ref ws.SigmaX, nk); Workspace.Ensure(ref ws.PrimeX, nk);
        var z = outer.Nodes; var w = outer.Weights;
        var u = ws.U.AsSpan(0, nk); var x = ws.X.AsSpan(0, nk);
        for (int k = 0; k < nk; k++) { u[k] = sa * z[k]; x[k] = sb * rho * z[k]; }
        sigma.Evaluate<double>(u, ws.SigmaU.AsSpan(0, nk), ws.PrimeU.AsSpan(0, nk));
        sigma.Evaluate<double>(x, ws.SigmaX.AsSpan(0, nk), ws.PrimeX.AsSpan(0, nk));
        var gs = ws.SigmaX; var gp = ws.PrimeX;
        if (eps > 0)
        {
            // Inner step h/s, at most ½: level ⌈m + log₂ s⌉, at least 1.
            int innerLevel = Math.Clamp((int)Math.Ceiling(level + Math.Log2(s)), 1, Math.Max(1, level));
            var inner = GaussianTrapezoid.For(innerLevel, Cutoff);
            int nl = inner.Nodes.Length;
            Workspace.Ensure(ref ws.Grid, nk * nl); Workspace.Ensure(ref ws.GridSigma, nk * nl); Workspace.Ensure(ref ws.GridPrime, nk * nl);
            var grid = ws.Grid.AsSpan(0, nk * nl);
            for (int k = 0; k < nk; k++)
            {
                int o = k * nl;
                for (int l = 0; l < nl; l++) grid[o + l] = x[k] + eps * inner.Nodes[l];
            }
            sigma.Evaluate<double>(grid, ws.GridSigma.AsSpan(0, nk * nl), ws.GridPrime.AsSpan(0, nk * nl));
            var v = inner.Weights;
            for (int k = 0; k < nk; k++)
            {
                int o = k * nl;
                double fs = ws.SigmaX[k], fp = ws.PrimeX[k], cs = 0, cp = 0;
                for (int l = 0; l < nl; l++) { cs += v[l] * (ws.GridSigma[o + l] - fs); cp += v[l] * (ws.GridPrime[o + l] - fp); }
                ws.SigmaX[k] = fs + cs; ws.PrimeX[k] = fp + cp;   // G(z_k) for σ and σ′
            }
        }
        double ss = 0, pp = 0;
        for (int k = 0; k < nk; k++) { ss += w[k] * ws.SigmaU[k] * gs[k]; pp += w[k] * ws.PrimeU[k] * gp[k]; }
        sigmaSigma = ss; primePrime = pp;
    }
}
