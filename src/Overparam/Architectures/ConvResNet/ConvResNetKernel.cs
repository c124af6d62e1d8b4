using System.Numerics.Tensors;
using Overparam.Activations;
using Overparam.Kernels;
using Overparam.Numerics;

namespace Overparam.Architectures.ConvResNet;

/// <summary>
/// Infinite-width Gram matrices of the convolutional ResNet: the self-consistent reading of Definition 7.1 / eq. (10)
/// given in docs/mathematics.md §4.4 (1-D "same" convolution, odd kernel size q, stride 1, zero padding).
/// Position blocks are p×p: Σ^(h)_ij = lim (x_i^(h))ᵀ x_j^(h) and Λ^(h) = P[Σ^(h−1)], the pre-activation covariance of
/// layer h, with the patch aggregation P[S]_lr = Σ_{t=−(q−1)/2}^{(q−1)/2} S_{l+t, r+t} (out-of-range terms 0).
/// <code>
///   Σ^(0)_ij = x_iᵀ x_j;   Σ^(1) = c_σ E[σ(u_l)σ(v_r)];  b^(1)_il = √c_σ E[σ(u_l)]           (u, v) from Λ^(1)
///   Σ^(h)_ij,lr = Σ^(h−1)_ij,lr + (c_res/H)(E[σ(u_l)] b_j,r + b_i,l E[σ(v_r)]) + (c_res/H)² E[σ(u_l)σ(v_r)],  2 ≤ h ≤ H−1
///   b^(h)_il = b^(h−1)_il + (c_res/H) E[σ(u_l)]                                                  (u, v) from Λ^(h)
///   K^(H)_ij = (c_res/H)² Σ_l Λ^(H)_ij,ll E[σ′(u_l)σ′(v_l)]                                      (u, v) from Λ^(H)
/// </code>
/// Because σ acts element-wise, every 2p-variate expectation factors into bivariate ones per (l, r) with covariance
/// [[Λ_ii,ll, Λ_ij,lr], [Λ_ji,rl, Λ_jj,rr]]: the recursion is the fully connected machinery run on the n·p
/// "points" (i, l), with the covariance stored as an (n·p)×(n·p) matrix, index i·p + l.
/// <see cref="KernelResult.Tensors"/> (the paper's K^(h) names are inconsistent, docs/mathematics.md §4.4; these are the ones the recursion uses):
///   "K0" = Λ^(1) = P[x_iᵀ x_j]              [n, n, p, p]   (the paper's K^(0))
///   "Kh" = Σ^(h), 1 ≤ h ≤ H−1               [n, n, p, p]   (the paper's K^(1) and H^(h))
///   "KH" = K^(H)                             [n, n]
///   "Lambda{h}" = Λ^(h) = P[Σ^(h−1)], 2 ≤ h ≤ H  [n, n, p, p]   (the paper's K^(h−1) for h ≥ 3; in memory only)
/// `overparam kernel` writes only K0 … KH to kernel.safetensors (the conv net has no Theta); the Lambda{h} blocks stay in the
/// result for callers of this method. Θ is not derived for the convolutional net (Theta = null).
/// </summary>
public static class ConvResNetKernel
{
    /// <summary>
    /// Kernels for X (n × d0·p, sample i's channel c at position l in column c·p + l), kernel size q (odd),
    /// depth H ≥ 2 and residual scale c_res.
    /// </summary>
    public static KernelResult Compute(Matrix<double> x, int channels, int positions, int kernelSize, int depth,
        Activation sigma, double cRes, KernelOptions? options = null)
    {
        if (depth < 2) throw new ArgumentOutOfRangeException(nameof(depth), "the convolutional ResNet needs depth H ≥ 2");
        if (kernelSize < 1 || kernelSize % 2 == 0) throw new ArgumentOutOfRangeException(nameof(kernelSize), "kernel size q must be odd");
        if (x.Cols != channels * positions) throw new ArgumentException($"X has {x.Cols} columns, expected d0·p = {channels * positions}");
        options ??= KernelOptions.Default;
        int n = x.Rows, p = positions, np = n * p;
        double cSigma = sigma.CSigma, step = cRes / depth, step2 = step * step;
        var dual = new DualActivation(sigma, options with { ComputeTheta = false });

        // Σ^(0) = X̃ X̃ᵀ with X̃[(i, l), c] = x_i[c·p + l].
        var xt = new Matrix<double>(np, channels);
        for (int i = 0; i < n; i++)
            for (int c = 0; c < channels; c++)
                for (int l = 0; l < p; l++) xt[i * p + l, c] = x[i, c * p + l];
        var sigmaH = Hadamard.Gram(xt);
        var tensors = new List<KernelTensor>();
        var lambdas = new List<KernelTensor>();
        var lambda = Patch(sigmaH, n, p, kernelSize);                        // Λ^(1) = P[Σ^(0)]
        tensors.Add(Blocks("K0", lambda, n, p));

        var mu = new double[np];
        var b = new double[np];
        var ss = new Matrix<double>(np, np);
        dual.Evaluate(lambda, ss, null, mu);
        sigmaH = Hadamard.Scale(ss, cSigma);                                 // Σ^(1) = c_σ E[σ(u)ᵀσ(v)]
        for (int a = 0; a < np; a++) b[a] = Math.Sqrt(cSigma) * mu[a];        // b^(1) = √c_σ E[σ(u)]
        tensors.Add(Blocks("K1", sigmaH, n, p));
        for (int h = 2; h <= depth - 1; h++)
        {
            lambda = Patch(sigmaH, n, p, kernelSize);                        // Λ^(h) = P[Σ^(h−1)]
            lambdas.Add(Blocks($"Lambda{h}", lambda, n, p));
            dual.Evaluate(lambda, ss, null, mu);
            var next = new Matrix<double>(np, np);
            for (int a = 0; a < np; a++)
            {
                var row = next.Row(a); var pr = sigmaH.Row(a); var sr = ss.Row(a);
                for (int c = 0; c < np; c++) row[c] = pr[c] + step * (mu[a] * b[c] + b[a] * mu[c]) + step2 * sr[c];
            }
            for (int a = 0; a < np; a++) b[a] += step * mu[a];              // b^(h)
            sigmaH = next;
            tensors.Add(Blocks($"K{h}", sigmaH, n, p));
        }
        lambda = Patch(sigmaH, n, p, kernelSize);                            // Λ^(H) = P[Σ^(H−1)]
        lambdas.Add(Blocks($"Lambda{depth}", lambda, n, p));
        var pp = new Matrix<double>(np, np);
        dual.Evaluate(lambda, null, pp, null);
        var kh = new Matrix<double>(n, n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int l = 0; l < p; l++) s += lambda[i * p + l, j * p + l] * pp[i * p + l, j * p + l];
                kh[i, j] = step2 * s;                                        // K^(H) = (c_res/H)² tr(Λ ⊙ E[σ′σ′])
            }
        tensors.Add(KernelTensor.FromMatrix($"K{depth}", kh));
        tensors.AddRange(lambdas);
        return new KernelResult
        {
            Architecture = "conv-resnet",
            Depth = depth,
            Tensors = tensors,
            KH = kh,
            Lambda0 = LinearAlgebra.SmallestEigenvalue(kh),
            KHEigenvalues = Hadamard.Spectrum(kh, options.ComputeSpectra),
            QuadratureFallbacks = dual.Fallbacks,
        };
    }

    /// <summary>P[S]_{(i,l),(j,r)} = Σ_t S_{(i,l+t),(j,r+t)}, |t| ≤ (q−1)/2, out-of-range positions 0 (zero padding).</summary>
    public static Matrix<double> Patch(Matrix<double> s, int n, int p, int kernelSize)
    {
        int half = (kernelSize - 1) / 2, np = n * p;
        var o = new Matrix<double>(np, np);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int l = 0; l < p; l++)
                    for (int r = 0; r < p; r++)
                    {
                        double sum = 0;
                        for (int t = -half; t <= half; t++)
                        {
                            int lt = l + t, rt = r + t;
                            if (lt >= 0 && lt < p && rt >= 0 && rt < p) sum += s[i * p + lt, j * p + rt];
                        }
                        o[i * p + l, j * p + r] = sum;
                    }
        return o;
    }

    /// <summary>An (n·p)×(n·p) position-block matrix as a tensor [n, n, p, p].</summary>
    public static KernelTensor Blocks(string name, Matrix<double> s, int n, int p)
    {
        var data = new double[n * n * p * p];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int l = 0; l < p; l++)
                    for (int r = 0; r < p; r++)
                        data[((i * n + j) * p + l) * p + r] = s[i * p + l, j * p + r];
        return new KernelTensor(name, [n, n, p, p], data);
    }
}
