using Overparam.Numerics;

namespace Overparam.Kernels;

/// <summary>A named dense tensor, row-major, e.g. "K2" with shape [n, n] or a convolutional block [n, n, p, p].</summary>
public sealed record KernelTensor(string Name, int[] Shape, double[] Data)
{
    public static KernelTensor FromMatrix(string name, Matrix<double> m) => new(name, [m.Rows, m.Cols], m.Data);
}

/// <summary>
/// The infinite-width Gram matrices of one architecture on one data set (docs/mathematics.md §4), all float64.
/// <see cref="KH"/> is the paper's K^(H) (the limit of G^(H), the Gram of the last hidden weight matrix W^(H)),
/// <see cref="Lambda0"/> = λ_min(K^(H)), and <see cref="Theta"/> the full NTK Σ_{h=1}^{H+1} lim G^(h).
/// </summary>
public sealed record KernelResult
{
    /// <summary>"fully-connected", "resnet" or "conv-resnet".</summary>
    public required string Architecture { get; init; }

    public required int Depth { get; init; }

    /// <summary>K^(0..H) as n×n matrices exactly as docs/mathematics.md §4.1/§4.2 define them (K[H] = K^(H)); null for the conv net.</summary>
    public Matrix<double>[]? K { get; init; }

    /// <summary>"K0".."KH" with their shapes (conv: position blocks [n, n, p, p] below H, see ConvResNetKernel), plus extras.</summary>
    public required IReadOnlyList<KernelTensor> Tensors { get; init; }

    /// <summary>K^(H), n×n.</summary>
    public required Matrix<double> KH { get; init; }

    /// <summary>λ₀ = λ_min(K^(H)) (LinearAlgebra.SmallestEigenvalue).</summary>
    public required double Lambda0 { get; init; }

    /// <summary>All eigenvalues of K^(H), ascending (null if not requested).</summary>
    public double[]? KHEigenvalues { get; init; }

    /// <summary>Θ = Σ_{h=1}^{H+1} lim G^(h), n×n (null for the conv net or if not requested).</summary>
    public Matrix<double>? Theta { get; init; }

    public double[]? ThetaEigenvalues { get; init; }

    /// <summary>lim ⟨x_i^(H), x_j^(H)⟩ = lim G^(H+1), the output layer's Gram (the conjugate kernel of layer H).</summary>
    public Matrix<double>? ConjugateKernel { get; init; }

    /// <summary>lim G^(h) for h = 1..H+1 at index h−1, when <see cref="KernelOptions.KeepLayerGrams"/>.</summary>
    public Matrix<double>[]? LayerGrams { get; init; }

    /// <summary>Off-diagonal pairs evaluated by the conditional quadrature because the Mehler bound was not met (diagnostic).</summary>
    public long QuadratureFallbacks { get; init; }

    /// <summary>
    /// The result of a dense (fc or resnet) recursion: K^(0) … K^(H) as tensors K0 … KH, Θ when computed, λ₀ and the
    /// spectra the options ask for.
    /// </summary>
    public static KernelResult FromRecursion(string architecture, Matrix<double>[] k, Matrix<double>? theta, Matrix<double>? conjugate,
        Matrix<double>[]? layerGrams, KernelOptions options, long fallbacks)
    {
        int depth = k.Length - 1;
        var tensors = k.Select((m, h) => KernelTensor.FromMatrix($"K{h}", m)).ToList();
        if (theta is not null) tensors.Add(KernelTensor.FromMatrix("Theta", theta));
        return new KernelResult
        {
            Architecture = architecture,
            Depth = depth,
            K = k,
            Tensors = tensors,
            KH = k[depth],
            Lambda0 = LinearAlgebra.SmallestEigenvalue(k[depth]),
            KHEigenvalues = Hadamard.Spectrum(k[depth], options.ComputeSpectra),
            Theta = theta,
            ThetaEigenvalues = Hadamard.Spectrum(theta, options.ComputeSpectra),
            ConjugateKernel = conjugate,
            LayerGrams = layerGrams,
            QuadratureFallbacks = fallbacks,
        };
    }
}
