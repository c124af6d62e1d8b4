using System.Numerics;
using Overparam.Numerics;

namespace Overparam.Architectures;

/// <summary>A trainable tensor of any shape (e.g. `W1` … `WH` as [out, in] and `a`), stored row-major.</summary>
public sealed record Parameter<T>(string Name, int[] Shape, T[] Value) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>
/// What the training loop and the optimizers need of a model: named parameter tensors, a forward pass from n inputs to
/// n × C outputs, and the gradient of a loss given its derivative with respect to the outputs. A model never updates
/// itself; an optimizer changes <see cref="Parameters"/> (micrograd's split). Nothing here assumes layers, one matrix
/// product per layer or Gram matrices, so time-unrolled or per-example models fit too.
/// </summary>
public interface IModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The trainable tensors, in a fixed order (the order of the safetensors files).</summary>
    IReadOnlyList<Parameter<T>> Parameters { get; }

    /// <summary>C, the outputs per sample.</summary>
    int Outputs { get; }

    /// <summary>Features per input row.</summary>
    int InputSize { get; }

    /// <summary>outputs[i·C + c] = f_c(θ, x_i) for every row of x; keeps what <see cref="Backward"/> needs.</summary>
    void Forward(Matrix<T> x, Span<T> outputs);

    /// <summary>After <see cref="Forward"/>: back-propagates ∂L/∂outputs (n × C, row-major) through the model.</summary>
    void Backward(ReadOnlySpan<T> outputGradient);

    /// <summary>After <see cref="Backward"/>: ∂L/∂θ into gradients[p] for each parameter p with trained[p] (all when null).</summary>
    void Gradients(IReadOnlyList<T[]> gradients, IReadOnlyList<bool>? trained = null);
}

