using System.Numerics;
using Overparam.Architectures.Dense;

namespace Overparam.Architectures.FullyConnected;

/// <summary>
/// The deep fully-connected network of eq. (2): x^(h) = sqrt(c_σ/m) σ(W^(h) x^(h−1)), f = aᵀx^(H); with the standard
/// parameterization x^(h) = σ(W^(h) x^(h−1) + b_h) (the scale moved into the initialization).
/// </summary>
public sealed class FullyConnectedNetwork<T>(NetworkConfig config, IReadOnlyList<Parameter<T>> parameters)
    : DenseNetwork<T>(config, parameters) where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly double scale = config.Parameterization == Parameterization.Ntk ? Math.Sqrt(config.CSigma / config.Width) : 1;

    protected override double LayerScale(int h) => scale;   // sqrt(c_σ/m), eq. (2)
    protected override double Skip(int h) => 0;
}
