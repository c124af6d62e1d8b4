using System.Numerics;
using Overparam.Architectures.Dense;

namespace Overparam.Architectures.FullyConnected;

/// <summary>The deep fully-connected network of eq. (2): x^(h) = sqrt(c_σ/m) σ(W^(h) x^(h−1)), f = aᵀx^(H).</summary>
public sealed class FullyConnectedNetwork<T>(NetworkConfig config, IReadOnlyList<Parameter<T>> parameters)
    : DenseNetwork<T>(config, parameters) where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly double scale = Math.Sqrt(config.CSigma / config.Width);

    protected override double LayerScale(int h) => scale;   // sqrt(c_σ/m), eq. (2)
    protected override double Skip(int h) => 0;
}
