using System.Numerics;
using Overparam.Architectures.Dense;

namespace Overparam.Architectures.FullyConnected;

/// <summary>
/// The deep fully-connected network of eq. (2): x^(h) = sqrt(c_σ/m_h) σ(W^(h) x^(h−1)), f = aᵀx^(H), with m_h = m and
/// m_H = M_H (docs/mathematics.md §2.5; eq. 2 itself has M_H = m); with the standard parameterization
/// x^(h) = σ(W^(h) x^(h−1) + b_h) (the scale moved into the initialization).
/// </summary>
public sealed class FullyConnectedNetwork<T>(NetworkConfig config, IReadOnlyList<Parameter<T>> parameters, IReadOnlyList<Parameter<T>>? buffers = null)
    : DenseNetwork<T>(config, parameters, buffers) where T : unmanaged, IFloatingPointIeee754<T>
{
    private static double Scale(NetworkConfig c, int width) => c.Parameterization == Parameterization.Ntk ? Math.Sqrt(c.CSigma / width) : 1;
    private readonly double scale = Scale(config, config.Width), lastScale = Scale(config, config.FeatureSize);

    protected override double LayerScale(int h) => h == H ? lastScale : scale;   // sqrt(c_σ/m_h), eq. (2)
    protected override double Skip(int h) => 0;
}
