using Overparam.Architectures.Dense;
using Overparam.Kernels;
using Overparam.Numerics;

namespace Overparam.Architectures.FullyConnected;

/// <summary>The deep fully-connected network of eq. (2) (<see cref="FullyConnectedNetwork{T}"/>) and its kernel (<see cref="FullyConnectedKernel"/>).</summary>
public sealed class FullyConnectedArchitecture : Architecture
{
    public override string Name => "fc";
    public override IReadOnlyList<string> Aliases => ["fully-connected"];
    public override string DisplayName => "fully-connected";
    public override string Description => "fc: the fully-connected network of eq. (2)";
    public override string WidthTheorem => "exponential, 2^{O(H)} (Theorem 5.1)";

    public override bool HasFeatureWidth => true;
    public override bool HasBatchNorm => true;

    public override IReadOnlyList<(string Name, int[] Shape)> Shapes(NetworkConfig config) => DenseShapes.Of(config);

    public override IReadOnlyList<(string Name, int[] Shape)> BufferShapes(NetworkConfig config) => DenseShapes.Buffers(config);

    public override IModel<T> Create<T>(NetworkConfig config, IReadOnlyList<Parameter<T>> parameters) => new FullyConnectedNetwork<T>(config, parameters);

    public override IModel<T> Create<T>(NetworkConfig config, IReadOnlyList<Parameter<T>> parameters, IReadOnlyList<Parameter<T>> buffers) =>
        new FullyConnectedNetwork<T>(config, parameters, buffers);

    public override string? KernelUnavailable(NetworkConfig config) => OutsideThePapersSetting(config);

    public override KernelResult Kernel(NetworkConfig config, Matrix<double> x, KernelOptions options) =>
        FullyConnectedKernel.Compute(x, config.Depth, config.Activation, options);

    public override TheoryStep TheoryStep(NetworkConfig config) => new(1, "c·λ₀/n² (Theorem 5.1)", "");
}
