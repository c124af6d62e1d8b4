using System.Numerics;
using Overparam.Architectures.Dense;

namespace Overparam.Architectures.ResNet;

/// <summary>
/// The ResNet of eq. (3): x^(1) = sqrt(c_σ/m) σ(W^(1) x), x^(h) = x^(h−1) + (c_res/(H sqrt(m))) σ(W^(h) x^(h−1)) for
/// 2 ≤ h ≤ H, f = aᵀx^(H). The 1/H uses the total depth H (docs/mathematics.md §2.2). With the standard parameterization the width
/// factors sqrt(c_σ/m) and 1/√m move into the initialization and the branch keeps c_res/H.
/// </summary>
public sealed class ResNetNetwork<T>(NetworkConfig config, IReadOnlyList<Parameter<T>> parameters)
    : DenseNetwork<T>(config, parameters) where T : unmanaged, IFloatingPointIeee754<T>
{
    private static bool Ntk(NetworkConfig c) => c.Parameterization == Parameterization.Ntk;
    private readonly double firstScale = Ntk(config) ? Math.Sqrt(config.CSigma / config.Width) : 1;
    private readonly double residualScale = config.CRes / (config.Depth * (Ntk(config) ? Math.Sqrt(config.Width) : 1));

    protected override double LayerScale(int h) => h == 1 ? firstScale : residualScale;
    protected override double Skip(int h) => h == 1 ? 0 : 1;
}
