namespace Overparam.Architectures.Spiking;

/// <summary>What the network reads out of its output layer: the firing rate count/T (the authors', for the MSE loss) or the spike count.</summary>
public enum SpikeReadout { Rate, Count }

/// <summary>
/// The spiking network's settings (docs/mathematics.md §15): T time steps, the LIF membrane constant τ, the surrogate
/// gradient and its α, and the readout. V_th = 1 and V_reset = 0 are fixed (<see cref="LifNeurons"/>).
/// <see cref="SmoothSpikes"/> is a check, not a model: it fires the surrogate's smooth step g(H − V_th) instead of
/// Θ(H − V_th), so that the network is differentiable and its BPTT gradient can be held against finite differences.
/// </summary>
public sealed record SpikingConfig(int TimeSteps, double Tau, Surrogate Surrogate, double SurrogateAlpha, SpikeReadout Readout = SpikeReadout.Rate,
    bool SmoothSpikes = false)
{
    /// <summary>The authors' defaults: T = 8, τ = 2, ATan with α = 2, rate readout.</summary>
    public static SpikingConfig Default => new(8, 2, Surrogate.ATan, 2);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the option when a setting is out of range.</summary>
    public void Check()
    {
        if (TimeSteps < 1) throw new ArgumentException($"--time-steps {TimeSteps}: must be at least 1");
        if (!(Tau > 0) || double.IsPositiveInfinity(Tau)) throw new ArgumentException($"--tau {Tau}: the membrane constant must be a finite number > 0");
        if (!(SurrogateAlpha > 0) || double.IsPositiveInfinity(SurrogateAlpha)) throw new ArgumentException($"--surrogate-alpha {SurrogateAlpha}: must be a finite number > 0");
    }
}
