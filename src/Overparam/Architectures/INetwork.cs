using System.Numerics;
using Overparam.Numerics;

namespace Overparam.Architectures;

/// <summary>
/// One of the paper's networks in its exact parameterization (docs/mathematics.md §2): f(x) = aᵀx^(H), all weights N(0, 1), no biases.
/// Beyond <see cref="IModel{T}"/>, the proof's view of it: <see cref="BackPropagate"/> gives the per-sample
/// back-propagated vectors independently of the labels, so that any residual's gradient (<see cref="Gradients(ReadOnlySpan{T}, IReadOnlyList{T[]}, IReadOnlyList{bool}?)"/>),
/// a fused descent step (<see cref="DescentStep"/>) and the per-layer Gram matrices (<see cref="GramMatrices"/>) follow
/// from one backward pass. <see cref="IModel{T}.Backward"/> is <see cref="BackPropagate"/> plus remembering the residual.
/// </summary>
public interface INetwork<T> : IModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    NetworkConfig Config { get; }

    /// <summary>After <see cref="IModel{T}.Forward"/>: for every sample i and layer h, ∂u_i/∂(pre-activation of layer h).</summary>
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
    /// G^(h)_ij = ⟨∂u_i/∂W^(h), ∂u_j/∂W^(h)⟩ (docs/mathematics.md §5).
    /// </summary>
    Matrix<double>[] GramMatrices();
}
