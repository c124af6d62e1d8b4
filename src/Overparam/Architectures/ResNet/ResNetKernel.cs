using Overparam.Architectures.FullyConnected;
using System.Numerics.Tensors;
using Overparam.Activations;
using Overparam.Kernels;
using Overparam.Numerics;

namespace Overparam.Architectures.ResNet;

/// <summary>
/// Infinite-width Gram matrices of the ResNet, eq. (3): Definition 6.1 / eq. (8) with the b-terms paired as in
/// eq. (16) (b_i with σ(v), b_j with σ(u)) and the corrected last step (docs/mathematics.md §4.2), plus the full NTK Θ.
/// <code>
///   K^(0) = X Xᵀ;  K^(1) = c_σ E_{A^(1)}[σσ];  b^(1)_i = √c_σ E[σ(u_i)]
///   K^(h) = K^(h−1) + (c_res/H)(E[σ(u)] b_j + b_i E[σ(v)]) + (c_res/H)² E[σ(u)σ(v)],  (u, v) from K^(h−1), 2 ≤ h ≤ H−1
///   b^(h)_i = b^(h−1)_i + (c_res/H) E[σ(u_i)]
///   K^(H) = (c_res/H)² K^(H−1) ⊙ E_{A from K^(H−1)}[σ′σ′]                       (= lim G^(H))
/// Θ (derived here, checked against finite width in the tests): with the backward Gram
///   P^(H) = 1,  P^(h−1) = P^(h) ⊙ (1 + (c_res/H)² E_{A^(h)}[σ′σ′]),  2 ≤ h ≤ H   (P = lim ⟨∂f/∂x^(h)_i, ∂f/∂x^(h)_j⟩/m)
///   lim G^(1)   = K^(0) ⊙ c_σ E_{A^(1)}[σ′σ′] ⊙ P^(1)
///   lim G^(h)   = K^(h−1) ⊙ (c_res/H)² E_{A^(h)}[σ′σ′] ⊙ P^(h),  2 ≤ h ≤ H
///   lim G^(H+1) = lim ⟨x_i^(H), x_j^(H)⟩ = step h = H of the K^(h) recursion above (b-terms included)
///   Θ = Σ_{h=1}^{H+1} lim G^(h)
/// </code>
/// A^(h) always denotes the 2×2 covariance built from K^(h−1).
/// </summary>
public static class ResNetKernel
{
    /// <summary>
    /// Kernels for inputs X (n×d) and depth H with residual scale c_res (docs/mathematics.md §7: 0 &lt; c_res &lt; 1). For H = 1, eq. (3)
    /// has no residual layer and the ResNet is the fully-connected network, so its kernels are returned.
    /// </summary>
    public static KernelResult Compute(Matrix<double> x, int depth, Activation sigma, double cRes, KernelOptions? options = null)
    {
        if (depth < 1) throw new ArgumentOutOfRangeException(nameof(depth), "depth H must be at least 1");
        if (depth == 1) return FullyConnectedKernel.Compute(x, 1, sigma, options) with { Architecture = "resnet" };
        options ??= KernelOptions.Default;
        int n = x.Rows;
        double cSigma = sigma.CSigma, step = cRes / depth, step2 = step * step;
        var dual = new DualActivation(sigma, options);
        var k = new Matrix<double>[depth + 1];
        k[0] = Hadamard.Gram(x);                                              // K^(0)_ij = ⟨x_i, x_j⟩
        var b = new double[n];
        var mu = new double[n];
        var grams = options.KeepLayerGrams ? new Matrix<double>[depth + 1] : null;
        bool theta = options.ComputeTheta || options.KeepLayerGrams;
        Matrix<double>? sumG = null;                                          // T_h = Σ_{h'≤h} G^(h') ⊙ Π_{h'<h''≤h}(1 + D^(h''))
        var dds = grams is not null ? new Matrix<double>[depth + 1] : null;
        Matrix<double>? conjugate = null;

        // h = 1: x^(1) = √(c_σ/m) σ(W^(1) x).
        {
            var ss = new Matrix<double>(n, n);
            var pp = theta ? new Matrix<double>(n, n) : null;
            dual.Evaluate(k[0], ss, pp, mu);
            k[1] = Hadamard.Scale(ss, cSigma);                                // eq. (8): K^(1)
            for (int i = 0; i < n; i++) b[i] = Math.Sqrt(cSigma) * mu[i];     // eq. (8): b^(1)
            if (pp is not null)
            {
                TensorPrimitives.Multiply<double>(pp.Data, cSigma, pp.Data);  // c_σ E[σ′σ′]
                sumG = Hadamard.Multiply(k[0], pp);                           // G^(1) without its P^(1) factor
                if (dds is not null) dds[1] = pp;
            }
        }
        for (int h = 2; h <= depth; h++)
        {
            bool last = h == depth;
            var ss = !last || theta ? new Matrix<double>(n, n) : null;
            var pp = new Matrix<double>(n, n);
            dual.Evaluate(k[h - 1], ss, pp, mu);                              // (u, v) ∼ N(0, A^(h)), A^(h) from K^(h−1)
            TensorPrimitives.Multiply<double>(pp.Data, step2, pp.Data);       // D^(h) = (c_res/H)² E[σ′σ′]
            Matrix<double>? next = null;
            if (ss is not null)
            {
                next = new Matrix<double>(n, n);                              // eq. (8) with eq. (16) pairing
                var prev = k[h - 1];
                for (int i = 0; i < n; i++)
                {
                    var row = next.Row(i); var pr = prev.Row(i); var sr = ss.Row(i);
                    for (int j = 0; j < n; j++) row[j] = pr[j] + step * (mu[i] * b[j] + b[i] * mu[j]) + step2 * sr[j];
                }
                for (int i = 0; i < n; i++) b[i] += step * mu[i];             // eq. (8): b^(h)
            }
            if (sumG is not null)
            {
                // T_h = T_{h−1} ⊙ (1 + D^(h)) + K^(h−1) ⊙ D^(h)
                var t = sumG.Data; var d = pp.Data; var kp = k[h - 1].Data;
                for (int e = 0; e < t.Length; e++) t[e] = t[e] * (1 + d[e]) + kp[e] * d[e];
                if (dds is not null) dds[h] = pp;
            }
            if (!last) k[h] = next!;
            else
            {
                k[h] = Hadamard.Multiply(k[h - 1], pp);                       // eq. (8) last line, corrected (docs/mathematics.md §4.2)
                conjugate = next;                                             // lim ⟨x_i^(H), x_j^(H)⟩
            }
        }
        Matrix<double>? thetaM = null;
        if (options.ComputeTheta)
        {
            thetaM = sumG!.Clone();
            TensorPrimitives.Add<double>(thetaM.Data, conjugate!.Data, thetaM.Data);   // + lim G^(H+1)
        }
        if (grams is not null)
        {
            var p = new Matrix<double>(n, n);
            Array.Fill(p.Data, 1.0);                                          // P^(H) = 1
            for (int h = depth; h >= 1; h--)
            {
                var g = Hadamard.Multiply(k[h - 1], dds![h]);
                TensorPrimitives.Multiply<double>(g.Data, p.Data, g.Data);
                grams[h - 1] = g;
                if (h >= 2) for (int e = 0; e < p.Data.Length; e++) p.Data[e] *= 1 + dds[h].Data[e];
            }
            grams[depth] = conjugate!;
        }
        return KernelResult.FromRecursion("resnet", k, thetaM, conjugate, grams, options, dual.Fallbacks);
    }
}
