using System.Numerics;
using Overparam.Architectures;
using Overparam.IO;
using Overparam.Measures;
using Overparam.Numerics;

namespace Overparam.Training.Optimizers;

/// <summary>The settings of the two-phase modification A(base) (<see cref="TwoPhase{T}"/>).</summary>
/// <param name="Tau">τ, the step at which phase 2 starts (steps k &lt; τ are phase 1).</param>
/// <param name="CheckEvery">K: σ_min(Φ_t) is checked after every K-th update of phase 2.</param>
/// <param name="Keep">The acceptance threshold c of σ_min(Φ_t) ≥ c·s_τ (the reconstruction's 1/2).</param>
/// <param name="RequireCondition">Stop the run (<see cref="ExpressivityConditionException"/>) when the condition fails at τ, instead of continuing as the base algorithm.</param>
/// <param name="Perturbation">ε of the optional perturbation at τ: each hidden entry += ε·rms(θ_p)·ξ, ξ ~ N(0, 1) (0: none).</param>
/// <param name="Seed">Seed of the perturbation's normals (xoshiro256** and the polar method).</param>
/// <param name="Certified">
/// A phase-2 check first tries to certify σ_min(Φ_t) &gt; c·s_τ by a Cholesky factorization
/// (<see cref="Expressivity.CertifiesSigmaMinAbove"/>) and computes σ_min only when that fails; a certified acceptance is
/// proven, so it can differ from the exact route's only where that route's rounding straddles c·s_τ; a certified check
/// records no σ_min (NaN) (--two-phase-check certified).
/// </param>
public sealed record TwoPhaseSettings(int Tau, int CheckEvery = 1, double Keep = 0.5, bool RequireCondition = false, double Perturbation = 0, ulong Seed = 0,
    bool Certified = false)
{
    /// <summary>The values of --two-phase-check: "exact" (Certified false) and "certified".</summary>
    public static readonly IReadOnlyList<string> CheckNames = ["exact", "certified"];
}

/// <summary>The expressivity condition failed at τ and --require-condition asked to stop.</summary>
public sealed class ExpressivityConditionException(string message) : Exception(message);

/// <summary>
/// The two-phase modification A(base) of any first-order optimizer (Kawaguchi &amp; Sun 2021), as a documented
/// reconstruction of its rule — not the paper's verbatim Algorithm 1, whose text was not available (docs/mathematics.md
/// §14):
/// <code>
/// phase 1, k &lt; τ:  θ ← base(θ)                                   (all layers, the base optimizer unchanged)
/// at k = τ:         optionally θ_hidden += ε·rms·ξ;  Φ_τ = h(X; θ_hidden);  s_τ = σ_min(Φ_τ)
///                   condition: rank Φ_τ = n  (else continue as the base algorithm, or stop with --require-condition)
/// phase 2, k ≥ τ:   θ ← base(θ)  (the output block's step is a descent step of the convex problem in A)
///                   after every K-th update: if σ_min(Φ(θ_hidden)) ≥ c·s_τ keep θ_hidden (the new restore point),
///                   else restore θ_hidden to the last kept values exactly and halve the hidden learning rate
/// </code>
/// c = 1/2 in the reconstruction. Only the hidden weights are restored; the output layer's step and the base optimizer's
/// state (momenta) are kept. With batch norm (the constructor's statistics: the trained model) its statistics are frozen at
/// τ: from the forward pass of step τ + 1 on, training normalizes with the running statistics as constants and no longer
/// updates them (step τ's own update still comes from its batch-statistics evaluation), so h(x; θ_hidden) is a fixed
/// function and Φ_t is what the output layer multiplies; if the condition fails the run continues as the base algorithm
/// with batch statistics again. The hidden rate is
/// <see cref="HiddenLearningRate{T}"/>'s factor (--lr-hidden's, else 1). Before τ every step is the base step, so with τ
/// beyond the run the run is the base run bit for bit. At τ Φ_τ's SVD gives the rank and s_τ; a phase-2 check needs only
/// σ_min, from the eigenvalues of ΦΦᵀ (<see cref="Expressivity.Extremes"/>, the SVD when ill-conditioned), or first a Cholesky certificate of σ_min &gt; c·s_τ (<see cref="TwoPhaseSettings.Certified"/>). The constructor's features function gives Φ (n × m, float64) of the training
/// set at the current parameters without touching the trained model's buffers (a second network over the same arrays).
/// State (checkpoints): the base's tensors, "two_phase" (a vector: switched, failed, s_τ, rank at τ, factor, phase-2
/// updates, checks, rejections, the last kept and tried σ_min) and "two_phase_kept.NAME" per hidden parameter.
/// </summary>
public sealed class TwoPhase<T> : IOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private const string StateName = "two_phase", KeptPrefix = "two_phase_kept.";
    private const int StateLength = 14;

    private readonly HiddenLearningRate<T> inner;
    private readonly Func<Matrix<double>> features;
    private readonly TwoPhaseSettings settings;
    private bool switched, failed;
    private long phase2Updates;
    private T[][] kept = [];
    private Parameter<T>[] keptOf = [];
    private Dictionary<string, Tensor>? restoredKept;
    private readonly IBatchNormModel<T>? statistics;

    public TwoPhase(HiddenLearningRate<T> inner, Func<Matrix<double>> features, TwoPhaseSettings settings, IBatchNormModel<T>? statistics = null)
    {
        this.statistics = statistics;
        if (settings.Tau < 0) throw new ArgumentException($"--two-phase-at: τ = {settings.Tau} must be ≥ 0");
        if (settings.CheckEvery < 1) throw new ArgumentException($"--two-phase-check-every {settings.CheckEvery}: must be at least 1");
        if (!(settings.Keep > 0 && settings.Keep <= 1)) throw new ArgumentException($"--two-phase-keep {settings.Keep}: must be in (0, 1]");
        if (!(settings.Perturbation >= 0 && double.IsFinite(settings.Perturbation))) throw new ArgumentException($"--two-phase-perturbation {settings.Perturbation}: must be a finite number ≥ 0");
        (this.inner, this.features, this.settings) = (inner, features, settings);
    }

    public string Name => inner.Name;

    public double LearningRate { get => inner.LearningRate; set => inner.LearningRate = value; }

    /// <summary>The measurement of Φ_τ once phase 2 has started (null before τ).</summary>
    public ExpressivityResult? AtTau { get; private set; }

    /// <summary>s_τ = σ_min(Φ_τ) (NaN before τ).</summary>
    public double STau { get; private set; } = double.NaN;

    /// <summary>Whether phase 2 is running (τ passed and the condition held).</summary>
    public bool InPhase2 => switched && !failed;

    /// <summary>True when the condition failed at τ (the run then continues as the base algorithm).</summary>
    public bool ConditionFailed => failed;

    /// <summary>Checks of σ_min(Φ_t) in phase 2 so far, and how many rejected the hidden update.</summary>
    public int Checks { get; private set; }
    public int Rejections { get; private set; }

    /// <summary>σ_min(Φ) of the hidden weights in force after the last check (kept), and of the update it tried.</summary>
    public double KeptSigma { get; private set; } = double.NaN;
    public double TriedSigma { get; private set; } = double.NaN;

    /// <summary>η_hidden/η now.</summary>
    public double HiddenFactor => inner.Factor;

    public void Step(in OptimizerStep<T> step)
    {
        if (step.Step < settings.Tau || failed) { inner.Step(step); return; }
        if (!switched) Switch(step.Model);
        if (failed) { inner.Step(step); return; }
        if (kept.Length == 0) Keep(step.Model);
        inner.Step(step);
        if (++phase2Updates % settings.CheckEvery == 0) Check(step.Model);
    }

    private void Switch(IModel<T> model)
    {
        switched = true;
        Freeze(true);
        if (settings.Perturbation > 0) Perturb(model);
        var result = Expressivity.Measure(features());
        AtTau = result;
        STau = result.SigmaMin;
        KeptSigma = TriedSigma = result.SigmaMin;
        if (result.Holds) return;
        failed = true;
        Freeze(false);
        string message = $"the expressivity condition fails at τ = {settings.Tau}: rank Φ_τ = {result.Rank} < n = {result.Rows} (Φ_τ is {result.Rows} × {result.Cols}, σ_min = {result.SigmaMin:G4}, tolerance {result.Tolerance:G3})";
        if (settings.RequireCondition) throw new ExpressivityConditionException(message + "; stopped (--require-condition)");
    }

    // Batch norm's statistics frozen (running statistics as constants) in phase 2, batch statistics otherwise.
    private void Freeze(bool frozen)
    {
        if (statistics is not null) statistics.BatchStatistics = !frozen;
    }

    private void Perturb(IModel<T> model)
    {
        var rng = new GaussianRng(settings.Seed);
        var hidden = HiddenLearningRate<T>.Hidden(model);
        foreach (var (p, i) in model.Parameters.Select((p, i) => (p, i)))
        {
            if (!hidden[i]) continue;
            double rms = Math.Sqrt(p.Value.Sum(v => double.CreateTruncating(v) * double.CreateTruncating(v)) / Math.Max(1, p.Value.Length));
            var xi = new double[p.Value.Length];
            rng.FillGaussian(xi);
            for (int j = 0; j < xi.Length; j++) p.Value[j] += T.CreateTruncating(settings.Perturbation * rms * xi[j]);
        }
    }

    private void Keep(IModel<T> model)
    {
        var hidden = HiddenLearningRate<T>.Hidden(model);
        var ps = model.Parameters;
        kept = ps.Select((p, i) => hidden[i] ? new T[p.Value.Length] : []).ToArray();
        keptOf = ps.ToArray();
        for (int i = 0; i < ps.Count; i++)
        {
            if (!hidden[i]) continue;
            if (restoredKept is not null)
            {
                if (!restoredKept.Remove(KeptPrefix + ps[i].Name, out var t) || t.ElementCount != ps[i].Value.Length)
                    throw new ArgumentException($"{StateName} state: tensor \"{KeptPrefix}{ps[i].Name}\" is missing or misshapen");
                t.AsDoubles().Select(T.CreateTruncating).ToArray().CopyTo(kept[i], 0);
            }
            else ps[i].Value.CopyTo(kept[i], 0);
        }
        restoredKept = null;
    }

    private void Check(IModel<T> model)
    {
        Checks++;
        var phi = features();
        double bound = settings.Keep * STau;
        // certified: σ_min > c·s_τ proven without its value; else (or when that fails) σ_min by the Gram route, the SVD only when ill-conditioned
        bool certified = settings.Certified && phi.Rows <= phi.Cols && Expressivity.CertifiesSigmaMinAbove(phi, bound);
        double sigma = certified ? double.NaN : Expressivity.Extremes(phi).SigmaMin;
        TriedSigma = sigma;
        var ps = model.Parameters;
        if (certified || sigma >= bound)
        {
            KeptSigma = sigma;
            for (int i = 0; i < ps.Count; i++) if (kept[i].Length > 0) ps[i].Value.CopyTo(kept[i], 0);
            return;
        }
        Rejections++;
        for (int i = 0; i < ps.Count; i++) if (kept[i].Length > 0) kept[i].CopyTo(ps[i].Value, 0);
        inner.Factor /= 2;
    }

    public IReadOnlyList<Tensor> SaveState()
    {
        var tensors = new List<Tensor>(inner.SaveState())
        {
            Tensor.F64(StateName, [StateLength], [switched ? 1 : 0, failed ? 1 : 0, STau, AtTau?.Rank ?? -1, inner.Factor, phase2Updates,
                Checks, Rejections, KeptSigma, TriedSigma, AtTau?.Rows ?? 0, AtTau?.Cols ?? 0, AtTau?.SigmaMax ?? double.NaN, AtTau?.Tolerance ?? double.NaN]),
        };
        for (int i = 0; i < kept.Length; i++)
            if (kept[i].Length > 0) tensors.Add(Tensor.F64(KeptPrefix + keptOf[i].Name, keptOf[i].Shape, kept[i].Select(double.CreateTruncating).ToArray()));
        if (restoredKept is not null) tensors.AddRange(restoredKept.Values);
        return tensors;
    }

    public void RestoreState(IReadOnlyDictionary<string, Tensor> state)
    {
        restoredKept = state.Where(kv => kv.Key.StartsWith(KeptPrefix, StringComparison.Ordinal)).ToDictionary();
        if (restoredKept.Count == 0) restoredKept = null;
        inner.RestoreState(state.Where(kv => kv.Key != StateName && !kv.Key.StartsWith(KeptPrefix, StringComparison.Ordinal)).ToDictionary());
        if (!state.TryGetValue(StateName, out var s)) return;
        var v = s.AsDoubles();
        if (v.Length != StateLength) throw new ArgumentException($"{StateName} state: expected {StateLength} values, found {v.Length}");
        (switched, failed, STau, inner.Factor, phase2Updates) = (v[0] == 1, v[1] == 1, v[2], v[4], (long)v[5]);
        (Checks, Rejections, KeptSigma, TriedSigma) = ((int)v[6], (int)v[7], v[8], v[9]);
        if (switched) AtTau = new ExpressivityResult((int)v[10], (int)v[11], (int)v[3], v[2], v[12], v[13]);
        Freeze(switched && !failed);
    }
}
