using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Overparam.IO;
using Overparam.Numerics;

namespace Overparam.Training.Optimizers;

/// <summary>
/// Entropy-SGD (Chaudhari et al. 2017) as the code lineage of Pittorino et al. (ICLR 2021) writes it, docs/mathematics.md §11.2:
/// each outer step t descends the local entropy around w, estimated by L inner SGLD steps, each on a fresh minibatch.
/// For the trained parameters w, with outer step η, momentum μ, dampening τ and weight decay λ, inner step η′, inner
/// momentum μ′, noise ε, averaging weight α and coupling γ = γ0 (1 + γ1)^t (t = 0, 1, … the outer steps):
/// <code>
/// w_c ← w;  μ_w ← w;  m′ ← 0
/// for i = 1 … L:                                  (batch i: the step's own for i = 1, where w = w_c; one oracle draw for each later i)
///     d ← ∇L_i(w) + γ (w − w_c) + λ w
///     if μ′ ≠ 0:  m′ ← μ′ m′ + (1 − τ) d;  d ← d + μ′ m′ (Nesterov), else d ← m′
///     if ε ≠ 0:   d ← d + ε / sqrt(η′/2) · ξ,  ξ ~ N(0, I)      (noise of standard deviation ε·sqrt(2η′) on w)
///     w ← w − η′ d
///     μ_w ← α μ_w + (1 − α) w
/// if L ≥ 1:  w ← w_c;  g ← w_c − μ_w                          (∝ −∇ of the local entropy)
/// else:      g ← ∇L(w) of the step's batch
/// g ← g + λ w;  m ← μ m + (1 − τ) g;  g ← g + μ m (Nesterov), else g ← m   (m starts at 0)
/// w ← w − η γ g  with gscale,  else  w ← w − η g
/// </code>
/// An outer step takes L batches of the run's stream (one when L = 0). With L = 0 and gscale off this is
/// <see cref="Sgd{T}"/> (with τ = 0 the same bits: a buffer from 0 gives m = g at the first step, as PyTorch's copy).
/// <para>The choices this implementation makes (docs/mathematics.md §11):</para>
/// <list type="bullet">
/// <item>The form is docs/mathematics.md §11.2's (the vendored <c>EntropySGD.step</c> with one weight decay), not Chaudhari's original step
/// (which draws an extra batch first, starts the outer momentum from the first gradient and applies the inner momentum
/// before the coupling): the inner weight decay is the outer λ, γ is not capped at γmax, and one Nesterov flag covers
/// both momenta.</item>
/// <item>With inner momentum and no Nesterov, d is m′ itself, so the noise enters m′ (as in the code) and the noise on w
/// has standard deviation ε·sqrt(2η′) only without inner momentum or with Nesterov.</item>
/// <item>γ0 is given, or automatic (the code's g0 = 0): γ0 stays 0 until outer step t ≥ 1 (the code's gtime = 1), whose
/// last inner step sets γ0 = ℓ / (½‖w_c − w‖²), ℓ the loss of that step's batch (at w before its update) and w after it
/// (if the distance is 0, γ0 stays 0 and the next step tries again). With gscale, w does not move while γ0 = 0: the
/// first two outer steps. The γ of the outer update is that of the last inner iteration, computed before it sets γ0.</item>
/// <item>γ1 is given, or γmax^(1/T) − 1 with T the run's outer steps (<see cref="OptimizerSettings.OuterSteps"/>), so that
/// γ reaches γ0·γmax at t = T; it is fixed before training (the code fixes it at step gtime, which changes γ only at
/// step 1's first inner iteration, and not at all with the automatic γ0, which is 0 until then).</item>
/// <item>The noise is drawn in bulk (<see cref="SgldNoise{T}"/> over <see cref="GaussianNoise"/>: a 1024-layer ziggurat
/// on xoshiro256** in 8 lanes): the draws of each block of <see cref="ParameterBuffers{T}.BlockLength"/> coordinates of a trained
/// parameter are a function of (<see cref="OptimizerSettings.NoiseSeed"/>, t, i, the parameter's index, the block's
/// index) only, so the noise needs no state of its own, a resumed run draws the same noise, and the blocks may run on
/// any thread: when the element-wise threads (<see cref="Chunks.Threads"/>) outnumber BLAS's (`--threads 2 --blas-threads 1`),
/// the next inner step's noise is drawn on a core BLAS leaves free while the gradient is computed (a worker beside BLAS's
/// own threads slowed eSGD 1.8–3.4× here, so with none free the caller draws it), with the same numbers: the same seed on the same machine gives the same bits for
/// any thread count (<see cref="SgldNoise{T}"/>). The SGLD step and the moving average are one pass over the coordinates
/// (<see cref="SgldStep{T}"/>). Frozen parameters (--train) are neither perturbed
/// nor moved.</item>
/// <item>With <see cref="OptimizerSettings.SgldNoiseFloat32"/> (`--sgld-noise-float32`) a float64 run stores each draw
/// rounded to float32 (the same float64 draw, 24 significant bits) and widens it exactly in the pass: half the bytes
/// of ξ move between the cores, and the bits of the run differ from the float64 noise's. A float32 run's noise is
/// float32 either way.</item>
/// </list>
/// State: "step" (t), "momentum_buffer.NAME" (m) when μ ≠ 0 and "gamma0" (γ0, which the automatic rule changes).
/// w_c, μ_w and m′ start afresh at every outer step.
/// </summary>
public sealed class EntropySgd<T> : IOptimizer<T>, ICoupled where T : unmanaged, IFloatingPointIeee754<T>
{
    public const string KindName = "entropy-sgd";
    private const string Gamma0Name = "gamma0";

    private readonly double momentum, dampening, weightDecay, sgldLr, noise, sgldMomentum, alpha, gamma1, initialGamma0;
    private readonly int innerSteps;
    private readonly bool nesterov, gscale, automaticGamma0;
    private readonly ulong noiseSeed;
    private readonly ParameterBuffers<T> state;
    private readonly bool noiseFloat32;
    private T[][] centre = [], average = [], innerMomentum = [];
    private SgldNoise<T>? sgld;                 // ξ in T
    private SgldNoise<float>? sgld32;           // ξ stored in float32 (--sgld-noise-float32)
    private T[] scratch = [];                   // a block of ξ drawn by the caller
    private float[] scratch32 = [];
    private double gamma0;

    public EntropySgd(OptimizerSettings settings)
    {
        SgdRule<T>.Validate(settings, settings.SgldMomentum, "--sgld-momentum");
        OptimizerSettings.RequireNonNegative("--sgld-lr", settings.SgldLr);
        OptimizerSettings.RequireNonNegative("--sgld-noise", settings.SgldNoise);
        OptimizerSettings.RequireNonNegative("--sgld-momentum", settings.SgldMomentum);
        if (settings.InnerSteps < 0) throw new ArgumentException($"--inner-steps {settings.InnerSteps}: must be at least 0");
        if (!(settings.EmaAlpha >= 0 && settings.EmaAlpha <= 1)) throw new ArgumentException($"--ema-alpha {settings.EmaAlpha}: must be in [0, 1]");
        if (settings.Gamma0 is { } g0) OptimizerSettings.RequireNonNegative("--gamma0", g0);
        if (settings.Gamma1 is { } g1) OptimizerSettings.RequireNonNegative("--gamma1", g1);
        if (!(settings.GammaMax > 0 && double.IsFinite(settings.GammaMax))) throw new ArgumentException($"--gamma-max {settings.GammaMax}: must be a finite number > 0");
        if (settings.Gamma0 is null && settings.InnerSteps == 0)
            throw new ArgumentException("the automatic γ0 (no --gamma0) needs --inner-steps ≥ 1");
        if (settings.Gamma1 is null && settings.OuterSteps <= 0)
            throw new ArgumentException("--gamma1 is not given, and γ1 from --gamma-max needs the run's number of outer steps");
        LearningRate = settings.LearningRate;
        (momentum, dampening, weightDecay, nesterov) = (settings.Momentum, settings.Dampening, settings.WeightDecay, settings.Nesterov);
        (innerSteps, sgldLr, noise, sgldMomentum, alpha, gscale) =
            (settings.InnerSteps, settings.SgldLr, settings.SgldNoise, settings.SgldMomentum, settings.EmaAlpha, settings.GScale);
        automaticGamma0 = settings.Gamma0 is null;
        gamma0 = initialGamma0 = settings.Gamma0 ?? 0;
        gamma1 = settings.Gamma1 ?? Math.Pow(settings.GammaMax, 1.0 / settings.OuterSteps) - 1;
        noiseSeed = settings.NoiseSeed;
        noiseFloat32 = settings.SgldNoiseFloat32 && typeof(T) == typeof(double);
        state = momentum != 0 ? new(KindName, "momentum_buffer") : new(KindName);
    }

    public string Name => KindName;

    /// <summary>η, the outer step.</summary>
    public double LearningRate { get; set; }

    /// <summary>γ0 now (the automatic rule sets it during training).</summary>
    public double Gamma0 => gamma0;

    /// <summary>γ1.</summary>
    public double Gamma1 => gamma1;

    /// <summary>γ0 (1 + γ1)^t of outer step t = <paramref name="step"/>, with γ0 as it is now.</summary>
    public double Gamma(int step, int epoch) => gamma0 * Math.Pow(1 + gamma1, step);

    public void Step(in OptimizerStep<T> step)
    {
        state.Begin(step);
        long t = state.Steps - 1;
        var ps = step.Model.Parameters;
        if (centre.Length != ps.Count) Allocate(step);
        bool ahead = noise != 0 && Chunks.Threads > LinearAlgebra.Backend.Threads;   // a core BLAS leaves free draws the next step's noise
        double gamma = gamma0 * Math.Pow(1 + gamma1, t);
        if (innerSteps > 0)
        {
            for (int p = 0; p < ps.Count; p++)
            {
                if (!step.Trains(p)) continue;
                ps[p].Value.CopyTo(centre[p]);
                ps[p].Value.CopyTo(average[p]);
                if (sgldMomentum != 0) Array.Clear(innerMomentum[p]);
            }
            double loss = step.Loss;
            for (int i = 1; i <= innerSteps; i++)
            {
                if (i > 1) loss = step.Oracle.NextGradient(state.Gradients);
                gamma = gamma0 * Math.Pow(1 + gamma1, t);
                InnerStep(step, gamma, t, i, ahead, i < innerSteps ? t : t + 1, i < innerSteps ? i + 1 : 1);
                if (automaticGamma0 && gamma0 == 0 && t >= 1 && i == innerSteps)
                {
                    double distance = HalfSquaredDistance(step);
                    if (distance > 0) gamma0 = loss / distance;
                }
            }
        }
        var rule = new SgdRule<T>(gscale ? LearningRate * gamma : LearningRate, momentum, dampening, weightDecay, nesterov);
        for (int p = 0; p < ps.Count; p++)
        {
            if (!step.Trains(p)) continue;
            T[] theta = ps[p].Value, grad = state.Gradient(p), buffer = momentum != 0 ? state.Buffer(0, p) : [];
            for (int i = 0; i < theta.Length; i += ParameterBuffers<T>.BlockLength)
            {
                int length = Math.Min(ParameterBuffers<T>.BlockLength, theta.Length - i);
                Span<T> w = theta.AsSpan(i, length), g = grad.AsSpan(i, length);
                if (innerSteps > 0)
                {
                    centre[p].AsSpan(i, length).CopyTo(w);                                     // w ← w_c
                    TensorPrimitives.Subtract(centre[p].AsSpan(i, length), average[p].AsSpan(i, length), g);   // g ← w_c − μ_w
                }
                rule.Apply(w, g, momentum != 0 ? buffer.AsSpan(i, length) : [], first: false);
            }
        }
    }

    /// <summary>One SGLD step of the inner loop on the gradient in the state's buffers, and the moving average, in one pass.</summary>
    /// <remarks>With <paramref name="ahead"/>, the noise of the next inner step (<paramref name="nextT"/>, <paramref name="nextInner"/>) is started after the pass (it is drawn into the buffers this pass read) and drawn on another core while the next gradient is computed.</remarks>
    private void InnerStep(in OptimizerStep<T> step, double gamma, long t, int inner, bool ahead, long nextT, int nextInner)
    {
        var k = new SgldStep<T>(gamma, weightDecay, sgldLr, sgldMomentum, dampening, nesterov, noise / Math.Sqrt(0.5 * sgldLr), alpha);
        if (sgld32 is not null) InnerStep(step, k, sgld32, scratch32, t, inner, ahead, nextT, nextInner);
        else InnerStep(step, k, sgld, scratch, t, inner, ahead, nextT, nextInner);
    }

    /// <summary><see cref="InnerStep(in OptimizerStep{T}, double, long, int, bool, long, int)"/> with noise of type TNoise (none when <paramref name="sgld"/> is null).</summary>
    private void InnerStep<TNoise>(in OptimizerStep<T> step, SgldStep<T> k, SgldNoise<TNoise>? sgld, TNoise[] scratch, long t, int inner, bool ahead, long nextT, int nextInner)
        where TNoise : unmanaged, IFloatingPointIeee754<TNoise>
    {
        var drawn = ahead ? sgld!.Take(t, inner) : null;
        var ps = step.Model.Parameters;
        for (int p = 0; p < ps.Count; p++)
        {
            if (!step.Trains(p)) continue;
            T[] theta = ps[p].Value, grad = state.Gradient(p);
            for (int i = 0; i < theta.Length; i += ParameterBuffers<T>.BlockLength)
            {
                int length = Math.Min(ParameterBuffers<T>.BlockLength, theta.Length - i);
                Span<TNoise> xi = [];
                if (drawn is not null) xi = drawn[p].AsSpan(i, length);
                else if (sgld is not null) sgld.Fill(t, inner, p, i, xi = scratch.AsSpan(0, length));
                k.Apply(theta.AsSpan(i, length), grad.AsSpan(i, length), centre[p].AsSpan(i, length), average[p].AsSpan(i, length),
                    sgldMomentum != 0 ? innerMomentum[p].AsSpan(i, length) : [], xi);
            }
        }
        if (ahead) sgld!.Start(nextT, nextInner);                     // after the pass: the worker overwrites ξ
    }

    /// <summary>½‖w_c − w‖² over the trained parameters, in float64.</summary>
    private double HalfSquaredDistance(in OptimizerStep<T> step)
    {
        double sum = 0;
        var ps = step.Model.Parameters;
        for (int p = 0; p < ps.Count; p++)
        {
            if (!step.Trains(p)) continue;
            for (int i = 0; i < ps[p].Value.Length; i++)
            {
                double d = double.CreateTruncating(centre[p][i]) - double.CreateTruncating(ps[p].Value[i]);
                sum += d * d;
            }
        }
        return 0.5 * sum;
    }

    private void Allocate(in OptimizerStep<T> step)
    {
        var ps = step.Model.Parameters;
        var trains = new bool[ps.Count];
        for (int p = 0; p < ps.Count; p++) trains[p] = step.Trains(p);
        T[] Buffer(int p, bool needed) => needed && trains[p] ? new T[ps[p].Value.Length] : [];
        centre = ps.Select((_, p) => Buffer(p, innerSteps > 0)).ToArray();
        average = ps.Select((_, p) => Buffer(p, innerSteps > 0)).ToArray();
        innerMomentum = ps.Select((_, p) => Buffer(p, innerSteps > 0 && sgldMomentum != 0)).ToArray();
        var lengths = ps.Select((q, p) => trains[p] ? q.Value.Length : 0).ToArray();
        bool noisy = innerSteps > 0 && noise != 0;
        sgld = noisy && !noiseFloat32 ? new SgldNoise<T>(noiseSeed, lengths) : null;
        sgld32 = noisy && noiseFloat32 ? new SgldNoise<float>(noiseSeed, lengths) : null;
        scratch = sgld is not null ? new T[ParameterBuffers<T>.BlockLength] : [];
        scratch32 = sgld32 is not null ? new float[ParameterBuffers<T>.BlockLength] : [];
    }

    public IReadOnlyList<Tensor> SaveState()
    {
        var tensors = state.Save().ToList();
        if (tensors.Count > 0) tensors.Add(Tensor.F64(Gamma0Name, [], [gamma0]));
        return tensors;
    }

    public void RestoreState(IReadOnlyDictionary<string, Tensor> saved)
    {
        if (saved.Count == 0)
        {
            state.Restore(saved);
            gamma0 = initialGamma0;
            return;
        }
        if (!saved.TryGetValue(Gamma0Name, out var g) || g.ElementCount != 1)
            throw new ArgumentException($"{KindName} state: the scalar \"{Gamma0Name}\" is missing");
        state.Restore(saved.Where(kv => kv.Key != Gamma0Name).ToDictionary());
        gamma0 = g.AsDoubles()[0];
    }
}
