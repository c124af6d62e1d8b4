using System.Numerics;
using Overparam.Architectures;
using Overparam.IO;

namespace Overparam.Training.Optimizers;

/// <summary>
/// Gradient rewiring (Grad R, Chen et al. IJCAI 2021) in its Adam form, the authors' <c>GradRewiring.step</c>
/// (docs/mathematics.md §16): each weight w of a pruned parameter keeps its sign s = sign(w₀) and a strength
/// θ = |w₀|, w = s·max(θ, 0). With g = ∂L/∂w of the step's batch (moments on g itself), learning rate η, decays β1, β2,
/// ε, target sparsity p ≥ 0.5, prior scale α and μ = ln(2(1 − p))/α:
/// <code>
/// t ← t + 1
/// m ← β1 m + (1 − β1) g;   v ← β2 v + (1 − β2) g²
/// step ← η / (1 − β1^t);   denom ← sqrt(v) / sqrt(1 − β2^t) + ε
/// h ← s θ − step · m / denom                      (the redefined gradient s·g: no gate [θ &gt; 0], so θ ≤ 0 can regrow)
/// h ← h − α · step · sign(θ − μ) · s              (the Laplace prior's −log gradient, not divided by denom; only when α &gt; ε)
/// θ ← s h;   w ← s · max(θ, 0)
/// </code>
/// sign(θ − μ) uses θ from before the step, as the code. Since s² = 1 and v does not see the sign, this is Adam on the
/// redefined gradient s·g of θ plus the prior step. A weight that starts at exactly 0 has s = 0, so h·s keeps θ = 0 and w = 0
/// forever. With --true-gradient (an ablation not in the authors' code) g is gated, g·[θ &gt; 0], before the moments, the
/// prior acting on every θ: a pruned synapse (θ ≤ 0) then moves only by the prior, toward μ &lt; 0 (p &gt; 0.5), so it
/// never regrows while α·step &lt; |μ|. Biases are not pruned: they take the plain Adam step w ← w − step·m/denom. Each line rounds as
/// the PyTorch code's (addcdiv as (−step·m)/denom, then the add).
/// State: "step" (t), per trained parameter "exp_avg.NAME" (m), "exp_avg_sq.NAME" (v), "strength.NAME" (θ), "sign.NAME"
/// (s), and "prune_events" / "regrow_events" (per parameter, in float64) for the connectivity columns.
/// </summary>
public sealed class GradRewiring<T> : IOptimizer<T>, IPruning where T : unmanaged, IFloatingPointIeee754<T>
{
    public const string KindName = "grad-r";

    private readonly double beta1, beta2, epsilon, alpha, sparsity;
    private readonly bool trueGradient;
    private readonly ParameterBuffers<T> state = new(KindName, "exp_avg", "exp_avg_sq", "strength", "sign");
    private readonly RewiringEvents events = new(KindName);

    public GradRewiring(OptimizerSettings settings)
    {
        OptimizerSettings.RequireNonNegative("--lr", settings.LearningRate);
        OptimizerSettings.RequireBelowOne("--beta1", settings.Beta1);
        OptimizerSettings.RequireBelowOne("--beta2", settings.Beta2);
        OptimizerSettings.RequireNonNegative("--epsilon", settings.Epsilon);
        if (!(settings.TargetSparsity >= 0.5 && settings.TargetSparsity < 1))
            throw new ArgumentException($"--target-sparsity {settings.TargetSparsity}: must be in [0.5, 1) (the prior's centre ln(2(1 − p))/α is ≤ 0 only for p ≥ 0.5)");
        if (!(settings.PriorAlpha >= 0) || double.IsPositiveInfinity(settings.PriorAlpha))
            throw new ArgumentException($"--prior-alpha {settings.PriorAlpha}: must be a finite number ≥ 0");
        LearningRate = settings.LearningRate;
        (beta1, beta2, epsilon, alpha, sparsity, trueGradient) =
            (settings.Beta1, settings.Beta2, settings.Epsilon, settings.PriorAlpha, settings.TargetSparsity, settings.TrueGradient);
    }

    public string Name => KindName;

    public double LearningRate { get; set; }

    /// <summary>μ = ln(2(1 − p))/α, the centre of the Laplace prior, so that Laplace(μ, 1/α) has mass p below 0 (eq. of docs/mathematics.md §16.2).</summary>
    public static double PriorCentre(double sparsity, double alpha) => Math.Log(2 * (1 - sparsity)) / alpha;

    /// <summary>True when the prior term is applied: α &gt; ε, the code's test.</summary>
    public bool PriorActive => alpha > epsilon;

    public bool Prunes(int p, string name) => !NetworkFactory.IsBias(name);

    public (long Pruned, long Regrown) Events(int p) => events.Of(p);

    public void Step(in OptimizerStep<T> step)
    {
        var ps = step.Model.Parameters;
        bool fresh = state.Steps == 0;
        state.Begin(step);
        events.Begin(ps.Count);
        double t = state.Steps;
        T stepSize = T.CreateTruncating(LearningRate / (1 - Math.Pow(beta1, t)));
        T correction2 = T.CreateTruncating(Math.Sqrt(1 - Math.Pow(beta2, t)));
        T eps = T.CreateTruncating(epsilon), b1 = T.CreateTruncating(beta1), b2 = T.CreateTruncating(beta2);
        T w1 = T.CreateTruncating(1 - beta1), w2 = T.CreateTruncating(1 - beta2);
        T prior = T.CreateTruncating(-alpha * double.CreateTruncating(stepSize));
        T mu = PriorActive ? T.CreateTruncating(PriorCentre(sparsity, alpha)) : T.Zero;
        for (int p = 0; p < ps.Count; p++)
        {
            if (!step.Trains(p)) continue;
            T[] w = ps[p].Value, g = state.Gradient(p), m = state.Buffer(0, p), v = state.Buffer(1, p), theta = state.Buffer(2, p), s = state.Buffer(3, p);
            bool prunes = Prunes(p, ps[p].Name);
            if (prunes && fresh)
                for (int i = 0; i < w.Length; i++) { s[i] = Sign(w[i]); theta[i] = T.Abs(w[i]); }
            long cut = 0, grown = 0;
            for (int i = 0; i < w.Length; i++)
            {
                T gi = trueGradient && prunes && !(theta[i] > T.Zero) ? T.Zero : g[i];
                m[i] = T.FusedMultiplyAdd(gi, w1, m[i] * b1);                                // exp_avg.mul_(β1).add_(grad, alpha=1 − β1)
                v[i] = T.FusedMultiplyAdd(gi * w2, gi, v[i] * b2);                           // exp_avg_sq.mul_(β2).addcmul_(grad, grad, value=1 − β2)
                T denom = T.Sqrt(v[i]) / correction2 + eps;
                T move = -stepSize * m[i] / denom;
                if (!prunes) { w[i] += move; continue; }                                     // plain Adam
                T old = theta[i], h = s[i] * old + move;                                     // p_hidden = sgn·strength, addcdiv_
                if (PriorActive) h += prior * Sign(old - mu) * s[i];   // addcmul_(sign(θ − μ), s, −α·step)
                T next = h * s[i];
                theta[i] = next;
                w[i] = T.Max(next, T.Zero) * s[i];                                           // w = s·max(θ, 0)
                if (old > T.Zero && !(next > T.Zero)) cut++;
                else if (!(old > T.Zero) && next > T.Zero) grown++;
            }
            events.Add(p, cut, grown);
        }
    }

    /// <summary>torch.sign: −1, 0 or 1 (0 for NaN here).</summary>
    private static T Sign(T x) => x > T.Zero ? T.One : x < T.Zero ? -T.One : T.Zero;

    public IReadOnlyList<Tensor> SaveState()
    {
        var saved = state.Save().ToList();
        if (saved.Count == 0) return saved;
        events.SaveInto(saved);
        return saved;
    }

    public void RestoreState(IReadOnlyDictionary<string, Tensor> saved)
    {
        var rest = saved.Where(kv => !RewiringEvents.Owns(kv.Key)).ToDictionary();
        state.Restore(rest);
        if (!events.Restore(saved) && rest.Count > 0)
            throw new ArgumentException($"{KindName} state: the tensors \"{RewiringEvents.PrunedName}\" and \"{RewiringEvents.RegrownName}\" are missing");
    }
}
