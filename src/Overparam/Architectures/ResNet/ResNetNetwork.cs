using System.Numerics;
using Overparam.Architectures.Dense;

namespace Overparam.Architectures.ResNet;

/// <summary>
/// The ResNet of eq. (3): x^(1) = sqrt(c_σ/m) σ(W^(1) x), x^(h) = x^(h−1) + (c_res/(H sqrt(m))) σ(W^(h) x^(h−1)) for
/// 2 ≤ h ≤ H, f = aᵀx^(H). The 1/H uses the total depth H (docs/mathematics.md §2.2). With the standard parameterization the width
/// factors sqrt(c_σ/m) and 1/√m move into the initialization and the branch keeps c_res/H. With a feature width M_H ≠ m
/// (docs/mathematics.md §2.5) the last layer widens and has no skip: x^(H) = sqrt(c_σ/M_H) σ(W^(H) x^(H−1)) (standard: σ(W^(H) x^(H−1) + b_H)).
/// </summary>
public sealed class ResNetNetwork<T>(NetworkConfig config, IReadOnlyList<Parameter<T>> parameters, IReadOnlyList<Parameter<T>>? buffers = null)
    : DenseNetwork<T>(config, parameters, buffers) where T : unmanaged, IFloatingPointIeee754<T>
{
    private static bool Ntk(NetworkConfig c) => c.Parameterization == Parameterization.Ntk;
    private readonly double firstScale = Ntk(config) ? Math.Sqrt(config.CSigma / config.LayerWidth(1)) : 1;
    private readonly double residualScale = config.CRes / (config.Depth * (Ntk(config) ? Math.Sqrt(config.Width) : 1));
    private readonly double wideningScale = Ntk(config) ? Math.Sqrt(config.CSigma / config.FeatureSize) : 1;

    /// <summary>True for the layer without a skip connection: the first, and the widening last one (M_H ≠ m).</summary>
    private bool Plain(int h) => h == 1 || (h == H && Config.Widens);

    protected override double LayerScale(int h) => !Plain(h) ? residualScale : h == 1 ? firstScale : wideningScale;
    protected override double Skip(int h) => Plain(h) ? 0 : 1;
}
