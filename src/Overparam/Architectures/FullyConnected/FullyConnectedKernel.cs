using System.Numerics.Tensors;
using Overparam.Activations;
using Overparam.Kernels;
using Overparam.Numerics;

namespace Overparam.Architectures.FullyConnected;

/// <summary>
/// Infinite-width Gram matrices of the fully connected network, eq. (2): Definition 5.1 / eq. (7) with the corrected
/// last step (docs/mathematics.md §4.1: the covariance of K^(H) is built from K^(H−1)), and the full NTK Θ (docs/mathematics.md §5):
/// <code>
///   K^(0) = X Xᵀ;   K^(h) = c_σ E_{A^(h)}[σ(u)σ(v)], 1 ≤ h ≤ H−1, A^(h)_ij from K^(h−1)
///   Σ̇^(h)_ij = c_σ E_{A^(h)}[σ′(u)σ′(v)],   K^(H) = K^(H−1) ⊙ Σ̇^(H)
///   lim G^(h) = K^(h−1) ⊙ Π_{h'=h}^{H} Σ̇^(h'),  h = 1..H      (so lim G^(H) = K^(H))
///   lim G^(H+1) = c_σ E_{A^(H)}[σ(u)σ(v)]   (lim ⟨x_i^(H), x_j^(H)⟩, the layer-H conjugate kernel)
///   Θ = Σ_{h=1}^{H+1} lim G^(h),  computed forward as Θ_0 = K^(0), Θ_h = Θ_{h−1} ⊙ Σ̇^(h) + c_σ E_{A^(h)}[σσ]
/// </code>
/// </summary>
public static class FullyConnectedKernel
{
    /// <summary>Kernels for inputs X (n×d, one sample per row) and depth H ≥ 1 (H hidden weight matrices).</summary>
    public static KernelResult Compute(Matrix<double> x, int depth, Activation sigma, KernelOptions? options = null)
    {
        if (depth < 1) throw new ArgumentOutOfRangeException(nameof(depth), "depth H must be ≥ 1");
        options ??= KernelOptions.Default;
        int n = x.Rows;
        double cSigma = sigma.CSigma;
        var dual = new DualActivation(sigma, options);
        var k = new Matrix<double>[depth + 1];
        k[0] = Hadamard.Gram(x);                                            // K^(0)_ij = ⟨x_i, x_j⟩
        var sigmaDots = options.KeepLayerGrams ? new Matrix<double>[depth + 1] : null;
        Matrix<double>? theta = options.ComputeTheta ? k[0].Clone() : null;  // Θ_0 = K^(0)
        Matrix<double>? conjugate = null;
        for (int h = 1; h <= depth; h++)
        {
            bool last = h == depth;
            var ss = !last || theta is not null || options.KeepLayerGrams ? new Matrix<double>(n, n) : null;
            var pp = new Matrix<double>(n, n);
            dual.Evaluate(k[h - 1], ss, pp, null);                          // (u, v) ∼ N(0, A^(h)), A^(h) from K^(h−1)
            TensorPrimitives.Multiply<double>(pp.Data, cSigma, pp.Data);    // Σ̇^(h)
            if (ss is not null) TensorPrimitives.Multiply<double>(ss.Data, cSigma, ss.Data);   // c_σ E[σσ]
            if (sigmaDots is not null) sigmaDots[h] = pp;
            if (theta is not null)
            {
                TensorPrimitives.Multiply<double>(theta.Data, pp.Data, theta.Data);
                TensorPrimitives.Add<double>(theta.Data, ss!.Data, theta.Data);
            }
            if (!last) k[h] = ss!;                                          // eq. (7)
            else
            {
                k[h] = Hadamard.Multiply(k[h - 1], pp);                     // eq. (7), last line, corrected (docs/mathematics.md §4.1)
                conjugate = ss;
            }
        }
        Matrix<double>[]? grams = null;
        if (sigmaDots is not null)
        {
            grams = new Matrix<double>[depth + 1];
            var product = sigmaDots[depth].Clone();
            for (int h = depth; h >= 1; h--)
            {
                if (h < depth) TensorPrimitives.Multiply<double>(product.Data, sigmaDots[h].Data, product.Data);
                grams[h - 1] = Hadamard.Multiply(k[h - 1], product);       // K^(h−1) ⊙ Π_{h'≥h} Σ̇^(h')
            }
            grams[depth] = conjugate!;
        }
        return KernelResult.FromRecursion("fully-connected", k, theta, conjugate, grams, options, dual.Fallbacks);
    }
}
