using System.Numerics;
using Overparam.Architectures.Dense;

namespace Overparam.Architectures.ResNet;

/// <summary>
/// The ResNet of eq. (3): x^(1) = sqrt(c_σ/m) σ(W^(1) x), x^(h) = x^(h−1) + (c_res/(H sqrt(m))) σ(W^(h) x^(h−1)) for
/// 2 ≤ h ≤ H, f = aᵀx^(H). The 1/H uses the total depth H (spec §2.2).
/// </summary>
public sealed class ResNetNetwork<T>(NetworkConfig config, IReadOnlyList<Parameter<T>> parameters)
    : DenseNetwork<T>(config, parameters) where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly double firstScale = Math.Sqrt(config.CSigma / config.Width);
    private readonly double residualScale = config.CRes / (config.Depth * Math.Sqrt(config.Width));

    protected override double LayerScale(int h) => h == 1 ? firstScale : residualScale;
    protected override double Skip(int h) => h == 1 ? 0 : 1;
}
