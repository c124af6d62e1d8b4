using System.Numerics;
using Overparam.Architectures;
using Overparam.IO;
using Overparam.Numerics;

namespace Overparam.Training.Optimizers;

/// <summary>
/// Deep R (Bellec et al. 2018) and soft Deep R in the Adam form of the Grad R authors' <c>deeprewire.py</c>
/// (docs/mathematics.md §16.6), the paper's baselines. Each weight of a pruned parameter keeps its initial sign s and an
/// active mask a = [w ≠ 0]; Adam's moments m, v and step, denom as in <see cref="GradRewiring{T}"/>, temperature T
/// (`--temperature`, the code's T, which is √(2T) of Bellec et al.), L1 scale λ (`--l1`), maximal sparsity s_max
/// (`--max-sparsity`), ξ ~ N(0, 1) per weight and step:
/// <code>
/// Deep R:       w ← w − step·(m·a)/denom − λ·step·s·a + T·√step·ξ·a
///               w ← s·max(s·a·w, 0)                     (a synapse whose sign would flip becomes dormant: 0)
///               a ← [w ≠ 0];  if the dormant fraction f of the parameter exceeds s_max, each dormant weight is set to ε
///               with probability (f − s_max)/f (reactivation; a is not updated, as in the code)
/// soft Deep R:  h ← s·θ − step·(m·a)/denom − λ·step·s·a + T·√step·ξ    (θ₀ = |w₀|; the noise on every synapse)
///               θ ← max(s·h, θ_min) when λ &gt; 0 and s_max &lt; 1, θ_min = −(½T²·s_max)/(λ(1 − s_max));  w ← s·max(θ, 0);  a ← [w ≠ 0]
/// </code>
/// As in the code, a reactivated weight (value ε, whatever its sign) is used by the next forward pass and then zeroed by
/// the next update, whose mask a still marks it dormant: Deep R's connectivity counts it (|ε| ≥ 1e-10) although it
/// carries no weight. ξ and the reactivation draws come from xoshiro256** (<see cref="GaussianRng"/>, seeded with
/// <see cref="OptimizerSettings.NoiseSeed"/>): per step, for each pruned parameter in order, one normal per weight, then
/// (Deep R, when f &gt; s_max) one uniform per dormant weight in order. Biases take the plain Adam step.
/// State: "step", "exp_avg.NAME", "exp_avg_sq.NAME", "sign.NAME", "active.NAME", "strength.NAME" (θ, soft only), the
/// generator "rewire_rng" and the counts "prune_events", "regrow_events".
/// </summary>
public sealed class DeepRewiring<T> : IOptimizer<T>, IPruning where T : unmanaged, IFloatingPointIeee754<T>
{
    public const string HardName = "deep-r", SoftName = "soft-deep-r";
    private const string RngName = "rewire_rng";

    private readonly double beta1, beta2, epsilon, temperature, l1, maxSparsity;
    private readonly bool soft;
    private readonly GaussianRng rng;
    private readonly ParameterBuffers<T> state = new("deep-r", "exp_avg", "exp_avg_sq", "sign", "active", "strength");
    private readonly RewiringEvents events;

    public DeepRewiring(OptimizerSettings settings, bool soft)
    {
        OptimizerSettings.RequireNonNegative("--lr", settings.LearningRate);
        OptimizerSettings.RequireBelowOne("--beta1", settings.Beta1);
        OptimizerSettings.RequireBelowOne("--beta2", settings.Beta2);
        OptimizerSettings.RequireNonNegative("--epsilon", settings.Epsilon);
        OptimizerSettings.RequireNonNegative("--temperature", settings.Temperature);
        OptimizerSettings.RequireNonNegative("--l1", settings.L1);
        if (!(settings.MaxSparsity >= 0 && settings.MaxSparsity <= 1)) throw new ArgumentException($"--max-sparsity {settings.MaxSparsity}: must be in [0, 1]");
        LearningRate = settings.LearningRate;
        (beta1, beta2, epsilon, temperature, l1, maxSparsity, this.soft) =
            (settings.Beta1, settings.Beta2, settings.Epsilon, settings.Temperature, settings.L1, settings.MaxSparsity, soft);
        events = new RewiringEvents(soft ? SoftName : HardName);
        rng = new GaussianRng(settings.NoiseSeed);
    }

    public string Name => soft ? SoftName : HardName;

    public double LearningRate { get; set; }

    /// <summary>Soft Deep R's floor θ_min = −(½T²·s_max)/(λ(1 − s_max)), or null when it does not apply (λ = 0 or s_max = 1).</summary>
    public double? StrengthFloor => l1 > 0 && maxSparsity < 1 ? -(0.5 * temperature * temperature * maxSparsity) / (l1 * (1 - maxSparsity)) : null;

    public bool Prunes(int p, string name) => !NetworkFactory.IsBias(name);

    public (long Pruned, long Regrown) Events(int p) => events.Of(p);

    public void Step(in OptimizerStep<T> step)
    {
        var ps = step.Model.Parameters;
        bool fresh = state.Steps == 0;
        state.Begin(step);
        events.Begin(ps.Count);
        double t = state.Steps, stepSize = LearningRate / (1 - Math.Pow(beta1, t));
        T size = T.CreateTruncating(stepSize), correction2 = T.CreateTruncating(Math.Sqrt(1 - Math.Pow(beta2, t)));
        T eps = T.CreateTruncating(epsilon), b1 = T.CreateTruncating(beta1), b2 = T.CreateTruncating(beta2);
        T w1 = T.CreateTruncating(1 - beta1), w2 = T.CreateTruncating(1 - beta2);
        T penalty = T.CreateTruncating(-l1 * stepSize), noise = T.CreateTruncating(temperature * Math.Sqrt(stepSize));
        T? floor = StrengthFloor is double f ? T.CreateTruncating(f) : null;
        for (int p = 0; p < ps.Count; p++)
        {
            if (!step.Trains(p)) continue;
            T[] w = ps[p].Value, g = state.Gradient(p), m = state.Buffer(0, p), v = state.Buffer(1, p), s = state.Buffer(2, p), a = state.Buffer(3, p), theta = state.Buffer(4, p);
            bool prunes = Prunes(p, ps[p].Name);
            if (prunes && fresh)
                for (int i = 0; i < w.Length; i++) { s[i] = Sign(w[i]); a[i] = w[i] != T.Zero ? T.One : T.Zero; theta[i] = T.Abs(w[i]); }
            long cut = 0, dormant = 0;
            for (int i = 0; i < w.Length; i++)
            {
                m[i] = T.FusedMultiplyAdd(g[i], w1, m[i] * b1);
                v[i] = T.FusedMultiplyAdd(g[i] * w2, g[i], v[i] * b2);
                T denom = T.Sqrt(v[i]) / correction2 + eps;
                if (!prunes) { w[i] += -size * m[i] / denom; continue; }
                bool was = w[i] != T.Zero;
                T xi = T.CreateTruncating(rng.NextGaussian());
                if (soft)
                {
                    T h = s[i] * theta[i] + -size * (m[i] * a[i]) / denom;                 // addcdiv_(exp_avg·active, denom, −step)
                    h += penalty * s[i] * a[i];                                            // addcmul_(sgn, active, −l1·step)
                    h += xi * noise;                                                       // add_(randn, T·√step)
                    T th = h * s[i];
                    if (floor is T lo) th = T.Max(th, lo);
                    theta[i] = th;
                    w[i] = T.Max(th, T.Zero) * s[i];
                }
                else
                {
                    T x = w[i] + -size * (m[i] * a[i]) / denom;
                    x += penalty * s[i] * a[i];
                    x += noise * xi * a[i];                                                // addcmul_(randn, active, T·√step)
                    w[i] = T.Max(x * a[i] * s[i], T.Zero) * s[i];                          // mul_(active).mul_(sgn).clamp_(0).mul_(sgn)
                }
                a[i] = w[i] != T.Zero ? T.One : T.Zero;
                if (was && a[i] == T.Zero) cut++;
                else if (!was && a[i] == T.One) events.Add(p, 0, 1);
                if (a[i] == T.Zero) dormant++;
            }
            events.Add(p, cut, 0);
            if (!prunes || soft) continue;
            double fraction = (double)dormant / w.Length;
            if (fraction <= maxSparsity) continue;
            double probability = (fraction - maxSparsity) / fraction;
            T reactivated = T.CreateTruncating(epsilon);
            for (int i = 0; i < w.Length; i++)
                if (a[i] == T.Zero && rng.NextUniform() < probability) { w[i] = reactivated; events.Add(p, 0, 1); }   // masked_fill_(mask, eps)
        }
    }

    private static T Sign(T x) => x > T.Zero ? T.One : x < T.Zero ? -T.One : T.Zero;

    public IReadOnlyList<Tensor> SaveState()
    {
        var saved = state.Save().ToList();
        if (saved.Count == 0) return saved;
        var (s0, s1, s2, s3, spare, hasSpare) = rng.State;
        saved.Add(Tensor.F64(RngName, [10], [.. Halves(s0), .. Halves(s1), .. Halves(s2), .. Halves(s3), spare, hasSpare ? 1 : 0]));
        events.SaveInto(saved);
        return saved;
    }

    public void RestoreState(IReadOnlyDictionary<string, Tensor> saved)
    {
        var rest = saved.Where(kv => !RewiringEvents.Owns(kv.Key) && kv.Key != RngName).ToDictionary();
        state.Restore(rest);
        bool counted = events.Restore(saved);
        if (rest.Count == 0) return;
        if (!counted || !saved.TryGetValue(RngName, out var r) || r.ElementCount != 10)
            throw new ArgumentException($"{Name} state: the tensors \"{RngName}\", \"{RewiringEvents.PrunedName}\" and \"{RewiringEvents.RegrownName}\" are needed");
        var x = r.AsDoubles();
        rng.State = (Word(x[0], x[1]), Word(x[2], x[3]), Word(x[4], x[5]), Word(x[6], x[7]), x[8], x[9] != 0);
    }

    private static double[] Halves(ulong w) => [w >> 32, (uint)w];

    private static ulong Word(double high, double low) => ((ulong)high << 32) | (ulong)low;
}
