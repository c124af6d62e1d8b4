using System.Numerics;
using Overparam.Numerics;

namespace Overparam.Architectures;

/// <summary>
/// A model whose output is linear in its last block given the rest: f(x) = Aᵀh(x) (+ b_out). After
/// <see cref="IModel{T}.Forward"/>, <see cref="Features"/> is Φ, the n × m matrix with row i = h(x_i), the last hidden
/// layer's output as the network computes it (width factors included): what the output layer multiplies
/// (docs/mathematics.md §13).
/// </summary>
public interface IFeatureModel<T> : IModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Φ of the last forward pass: n × m (fc, resnet) or n × m·p (convresnet, entry (i, l·m + c) = x^(H)_{c,l}(x_i)); a view, valid until the next forward.</summary>
    Matrix<T> Features { get; }
}
