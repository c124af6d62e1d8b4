using Overparam.Architectures.ResNet;
using Overparam.Kernels;
using Overparam.Numerics;

namespace Overparam.Architectures.ConvResNet;

/// <summary>The convolutional ResNet of docs/mathematics.md §2.3 (<see cref="ConvResNetNetwork{T}"/>) and its kernel (<see cref="ConvResNetKernel"/>).</summary>
public sealed class ConvResNetArchitecture : Architecture
{
    public override string Name => "convresnet";
    public override IReadOnlyList<string> Aliases => ["cnn"];
    public override string DisplayName => "convolutional ResNet";
    public override string Description => "convresnet: the convolutional ResNet of docs/mathematics.md §2.3 (inputs d0 channels × p positions)";
    public override int InputRank => 2;
    public override bool UsesCRes => true;
    public override bool UsesKernelSize => true;
    public override bool DenseFirstLayer => false;
    public override string WidthTheorem => "polynomial in H (Theorem 7.1)";

    public override NetworkConfig Configure(NetworkConfig template, int[] inputShape)
    {
        if (inputShape.Length != 2) throw new ArgumentException("the conv net needs inputs with d0 × p shape");
        int q = template.KernelSize, p = inputShape[1];
        if (q < 1 || q % 2 == 0) throw new ArgumentException($"--kernel-size {q}: must be odd and positive");
        if (q > 2 * p + 1) throw new ArgumentException($"--kernel-size {q}: larger than 2p + 1 = {2 * p + 1} for p = {p} positions");
        return template with { InputChannels = inputShape[0], Positions = p };
    }

    /// <summary>W1 [m, q·d₀], (b1 [m]), Wh [m, q·m], (bh [m]), a [m, p] or [m, p, C], (b_out [C]).</summary>
    public override IReadOnlyList<(string Name, int[] Shape)> Shapes(NetworkConfig c)
    {
        var list = new List<(string, int[])>();
        for (int h = 1; h <= c.Depth; h++)
        {
            list.Add(($"W{h}", [c.Width, c.KernelSize * (h == 1 ? c.InputChannels : c.Width)]));
            if (c.Bias) list.Add(($"b{h}", [c.Width]));
        }
        list.Add(("a", c.Outputs == 1 ? [c.Width, c.Positions] : [c.Width, c.Positions, c.Outputs]));
        if (c.Bias) list.Add(("b_out", [c.Outputs]));
        return list;
    }

    public override IModel<T> Create<T>(NetworkConfig config, IReadOnlyList<Parameter<T>> parameters) => new ConvResNetNetwork<T>(config, parameters);

    public override string? KernelUnavailable(NetworkConfig config) => OutsideThePapersSetting(config) ?? (config.Depth < 2
        ? "the convolutional ResNet's infinite-width kernel (docs/mathematics.md §4.4) is defined for depth H ≥ 2; use --depth 2 or more for kernels, probes and --lr-policy theory"
        : null);

    public override KernelResult Kernel(NetworkConfig config, Matrix<double> x, KernelOptions options) =>
        ConvResNetKernel.Compute(x, config.InputChannels, config.Positions, config.KernelSize, config.Depth, config.Activation, config.CRes, options);

    public override TheoryStep TheoryStep(NetworkConfig config) => ResNetArchitecture.DepthScaledStep(config.Depth);
}
