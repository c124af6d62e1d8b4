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
