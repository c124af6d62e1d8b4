using System.Numerics;
using Overparam.Activations;
using Overparam.Numerics;

namespace Overparam.Architectures;

/// <summary>A trainable tensor: `W1` … `WH` ([out, in]) and `a` ([m] or [m, p]), stored row-major.</summary>
public sealed record Parameter<T>(string Name, int[] Shape, T[] Value) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>
/// One of the paper's networks in its exact parameterization (spec §2): f(x) = aᵀx^(H), all weights N(0, 1), no biases.
/// Usage per GD step: <see cref="Forward"/> (keeps the activations), <see cref="BackPropagate"/> (per-sample
/// back-propagated vectors, independent of the labels), then <see cref="Gradients"/> or <see cref="DescentStep"/>.
/// </summary>
public interface INetwork<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    NetworkConfig Config { get; }

    /// <summary>W1 … WH then a.</summary>
    IReadOnlyList<Parameter<T>> Parameters { get; }

    /// <summary>u_i = f(θ, x_i) for every row of x (n × input size); keeps what the backward pass needs.</summary>
    void Forward(Matrix<T> x, Span<T> u);

    /// <summary>After <see cref="Forward"/>: for every sample i and layer h, ∂u_i/∂(pre-activation of layer h).</summary>
    void BackPropagate();

    /// <summary>
    /// After <see cref="BackPropagate"/>: ∂L/∂θ for L = ½ Σ (u_i − y_i)² (eq. 1), given residual r = u − y.
    /// Writes gradients[p] for each parameter p with trained[p] true (all when trained is null).
    /// </summary>
    void Gradients(ReadOnlySpan<T> residual, IReadOnlyList<T[]> gradients, IReadOnlyList<bool>? trained = null);

    /// <summary>After <see cref="BackPropagate"/>: θ ← θ − η ∂L/∂θ for the trained parameters, fused into the GEMMs.</summary>
    void DescentStep(ReadOnlySpan<T> residual, T eta, IReadOnlyList<bool>? trained = null);

    /// <summary>
    /// After <see cref="BackPropagate"/>: the per-layer Gram matrices G^(1) … G^(H) and G^(H+1) (for a), in float64,
    /// G^(h)_ij = ⟨∂u_i/∂W^(h), ∂u_j/∂W^(h)⟩ (spec §5).
    /// </summary>
    Matrix<double>[] GramMatrices();
}
