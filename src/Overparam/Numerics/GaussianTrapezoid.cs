namespace Overparam.Numerics;

/// <summary>
/// The trapezoidal rule for expectations over a standard normal, E[F(z)] ≈ Σ_k h φ(kh) F(kh), |kh| ≤ L, on the nested
/// steps h = 2^−level (docs/mathematics.md §4.6). For F analytic in the strip |Im z| &lt; τ the error is at most
/// 2M/(e^{2πτ/h} − 1) (M bounds ∫|F φ| along the strip's edges) plus the cut-off tail ∫_{|z|&gt;L} |F| φ: it falls
/// geometrically in 1/h, so each halving of h roughly squares the error. σ(√a z) has τ = τ_σ/√a (tanh: π/(2√a)), which
/// is why large variances need small steps, and why a Gauss–Hermite rule of fixed degree (whose nodes spread over
/// ±√(4n) instead of refining near 0) does not converge there: 300 nodes leave E[sech⁴(2z)] 1.6e−8 off.
/// </summary>
public sealed class GaussianTrapezoid
{
    /// <summary>
    /// The finest level <see cref="For"/> builds (h = 2^−10, 2·2^10·L + 1 nodes): enough for tanh up to variance ~1e5;
    /// beyond it the rule is used unconverged, so that a pair still costs at most ~1e6 evaluations.
    /// </summary>
    public const int MaxLevel = 10;

    public int Level { get; }
    public double Step { get; }
    public double[] Nodes { get; }
    public double[] Weights { get; }

    private GaussianTrapezoid(int level, double cutoff)
    {
        Level = level;
        Step = Math.ScaleB(1.0, -level);
        int half = (int)Math.Round(cutoff / Step);
        Nodes = new double[2 * half + 1];
        Weights = new double[2 * half + 1];
        double norm = Step / Math.Sqrt(2 * Math.PI);
        for (int k = -half; k <= half; k++)
        {
            double z = k * Step;
            Nodes[k + half] = z;
            Weights[k + half] = norm * Math.Exp(-0.5 * z * z);
        }
    }

    private static readonly Dictionary<(int, double), GaussianTrapezoid> Cache = new();

    /// <summary>The rule with step 2^−level on [−cutoff, cutoff] (cutoff a multiple of the step), cached.</summary>
    public static GaussianTrapezoid For(int level, double cutoff)
    {
        if (level < 0 || level > MaxLevel) throw new ArgumentOutOfRangeException(nameof(level), $"level must be in 0..{MaxLevel}");
        lock (Cache)
        {
            if (!Cache.TryGetValue((level, cutoff), out var rule)) Cache[(level, cutoff)] = rule = new GaussianTrapezoid(level, cutoff);
            return rule;
        }
    }
}
