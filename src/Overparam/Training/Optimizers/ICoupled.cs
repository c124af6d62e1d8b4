namespace Overparam.Training.Optimizers;

/// <summary>
/// An optimizer with a coupling γ that scoping changes during training (Entropy-SGD, Replicated-SGD), for the "gamma"
/// column of metrics.csv.
/// </summary>
public interface ICoupled
{
    /// <summary>The γ update <paramref name="step"/>, of a batch in epoch <paramref name="epoch"/>, will use, given what the optimizer knows now.</summary>
    double Gamma(int step, int epoch);
}
