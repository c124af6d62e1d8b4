namespace Overparam.Training.Optimizers;

/// <summary>
/// What every optimizer is built from: the step size η (chosen by the run's step-size policy) and the hyperparameters of
/// the optimizers that use them, with PyTorch's defaults. An optimizer reads only its own; its constructor checks them and
/// throws an <see cref="ArgumentException"/> naming the option (e.g. "--beta1 1: must be in [0, 1)").
/// </summary>
public sealed record OptimizerSettings(double LearningRate)
{
    /// <summary>μ, the momentum of sgd and rmsprop (`--momentum`); 0: none.</summary>
    public double Momentum { get; init; }

    /// <summary>τ, sgd's dampening of the gradient added to the momentum buffer (`--dampening`).</summary>
    public double Dampening { get; init; }

    /// <summary>sgd's Nesterov momentum (`--nesterov`); needs μ &gt; 0 and τ = 0.</summary>
    public bool Nesterov { get; init; }

    /// <summary>λ, the L2 penalty added to the gradient, ∇ + λθ (`--weight-decay`), in sgd, adam and rmsprop.</summary>
    public double WeightDecay { get; init; }

    /// <summary>β1, adam's decay of the first moment (`--beta1`), in [0, 1).</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>β2, adam's decay of the second moment (`--beta2`), in [0, 1).</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>ε, added to the denominator by adam and rmsprop (`--epsilon`, PyTorch's eps).</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>α, rmsprop's decay of the squared-gradient average (`--alpha`).</summary>
    public double Alpha { get; init; } = 0.99;

    /// <summary>rmsprop's centered variant, which divides by an estimate of the gradient's standard deviation (`--centered`).</summary>
    public bool Centered { get; init; }

    // Flat minima (issue 13): Entropy-SGD and Replicated-SGD, with the defaults of their code lineage (docs/mathematics.md §11).
    /// <summary>L, Entropy-SGD's inner SGLD steps per outer step (`--inner-steps`); each takes one batch.</summary>
    public int InnerSteps { get; init; } = 5;

    /// <summary>η′, Entropy-SGD's inner step size (`--sgld-lr`).</summary>
    public double SgldLr { get; init; } = 0.1;

    /// <summary>ε, Entropy-SGD's inner noise: N(0, ε²·2η′) per coordinate and inner step (`--sgld-noise`; 0: none).</summary>
    public double SgldNoise { get; init; } = 1e-4;

    /// <summary>Entropy-SGD: store ξ rounded to float32 in a float64 run (docs/mathematics.md §11.2; no effect in float32).</summary>
    public bool SgldNoiseFloat32 { get; init; }

    /// <summary>Entropy-SGD's inner momentum (`--sgld-momentum`; 0: none).</summary>
    public double SgldMomentum { get; init; }

    /// <summary>α, Entropy-SGD's moving average μ ← αμ + (1 − α)w of the inner iterates (`--ema-alpha`), in [0, 1].</summary>
    public double EmaAlpha { get; init; } = 0.75;

    /// <summary>γ0, the coupling at the start (`--gamma0`); null: the automatic, balanced γ0 of each algorithm.</summary>
    public double? Gamma0 { get; init; }

    /// <summary>γ1, the coupling's growth (`--gamma1`): Entropy-SGD's γ = γ0(1 + γ1)^t per outer step t, Replicated-SGD's per
    /// epoch (×(1 + γ1) exp, +γ1 lin); null: from <see cref="GammaMax"/>.</summary>
    public double? Gamma1 { get; init; }

    /// <summary>γmax (`--gamma-max`): the factor by which γ grows over the run (Replicated-SGD's cosine: γ's last value).</summary>
    public double GammaMax { get; init; } = 1e4;

    /// <summary>Entropy-SGD's outer step η·γ instead of η (`--gscale`, the code's default).</summary>
    public bool GScale { get; init; } = true;

    /// <summary>Seed of Entropy-SGD's SGLD noise (xoshiro256**, <see cref="Numerics.GaussianRng"/>).</summary>
    public ulong NoiseSeed { get; init; }

    /// <summary>The run's outer steps T, over which Entropy-SGD's automatic γ1 makes γ grow ×γmax (0: unknown).</summary>
    public long OuterSteps { get; init; }

    /// <summary>y, Replicated-SGD's replicas (`--replicas`).</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>Replicated-SGD's per-epoch γ schedule (`--gamma-schedule`): exp, lin or cosine.</summary>
    public string GammaSchedule { get; init; } = "exp";

    /// <summary>The run's epochs E, over which Replicated-SGD's schedule grows γ (0: unknown).</summary>
    public int Epochs { get; init; }

    // Grad R (issue 16, docs/mathematics.md §16), with the authors' defaults.
    /// <summary>p, Grad R's target sparsity in [0.5, 1) (`--target-sparsity`).</summary>
    public double TargetSparsity { get; init; } = 0.95;

    /// <summary>α ≥ 0, the scale of Grad R's Laplace prior (`--prior-alpha`, the code's -penalty).</summary>
    public double PriorAlpha { get; init; } = 1e-3;

    /// <summary>Grad R's true-gradient ablation (`--true-gradient`): the moments see g·[θ &gt; 0].</summary>
    public bool TrueGradient { get; init; }

    /// <summary>Deep R's temperature T (`--temperature`; the code's T, √(2T) of Bellec et al.; 0: no noise).</summary>
    public double Temperature { get; init; }

    /// <summary>Deep R's L1 scale λ (`--l1`, the code's default 1e-5).</summary>
    public double L1 { get; init; } = 1e-5;

    /// <summary>Deep R's maximal sparsity s_max in [0, 1] (`--max-sparsity`): reactivation keeps the dormant fraction at it.</summary>
    public double MaxSparsity { get; init; } = 0.95;

    /// <summary>Throws unless 0 ≤ <paramref name="value"/> &lt; ∞ (PyTorch's check of lr, momentum, weight decay, eps, alpha).</summary>
    internal static void RequireNonNegative(string option, double value)
    {
        if (!(value >= 0) || double.IsPositiveInfinity(value)) throw new ArgumentException($"{option} {value}: must be a finite number ≥ 0");
    }

    /// <summary>Throws unless 0 ≤ <paramref name="value"/> &lt; 1 (PyTorch's check of Adam's betas).</summary>
    internal static void RequireBelowOne(string option, double value)
    {
        if (!(value >= 0 && value < 1)) throw new ArgumentException($"{option} {value}: must be in [0, 1)");
    }
}
