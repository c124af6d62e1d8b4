using System.Globalization;
using Overparam.Architectures.Dense;
using Overparam.Kernels;
using Overparam.Numerics;

namespace Overparam.Architectures.ResNet;

/// <summary>The ResNet of eq. (3) (<see cref="ResNetNetwork{T}"/>) and its kernel (<see cref="ResNetKernel"/>).</summary>
public sealed class ResNetArchitecture : Architecture
{
    public override string Name => "resnet";
    public override string DisplayName => "ResNet";
    public override string Description => "resnet: the ResNet of eq. (3)";
    public override bool UsesCRes => true;
    public override string WidthTheorem => "polynomial: n^4/(λ₀^4 H^6), ~H^2 with λ₀ ~ 1/H^2 (Theorem 6.1)";

    public override bool HasFeatureWidth => true;
    public override bool HasBatchNorm => true;

    public override IReadOnlyList<(string Name, int[] Shape)> Shapes(NetworkConfig config) => DenseShapes.Of(config);

    public override IReadOnlyList<(string Name, int[] Shape)> BufferShapes(NetworkConfig config) => DenseShapes.Buffers(config);

    public override IModel<T> Create<T>(NetworkConfig config, IReadOnlyList<Parameter<T>> parameters) => new ResNetNetwork<T>(config, parameters);

    public override IModel<T> Create<T>(NetworkConfig config, IReadOnlyList<Parameter<T>> parameters, IReadOnlyList<Parameter<T>> buffers) =>
        new ResNetNetwork<T>(config, parameters, buffers);

    public override string? KernelUnavailable(NetworkConfig config) => OutsideThePapersSetting(config);

    public override KernelResult Kernel(NetworkConfig config, Matrix<double> x, KernelOptions options) =>
        ResNetKernel.Compute(x, config.Depth, config.Activation, config.CRes, options);

    public override TheoryStep TheoryStep(NetworkConfig config) => DepthScaledStep(config.Depth);

    /// <summary>η = c·λ₀·H²/n² (Theorems 6.1, 7.1), shared with the convolutional ResNet.</summary>
    internal static TheoryStep DepthScaledStep(int depth) =>
        new((double)depth * depth, "c·λ₀·H²/n² (Theorems 6.1, 7.1)", string.Create(CultureInfo.InvariantCulture, $", H = {depth}"));
}
