using Overparam.Numerics;

namespace Overparam.Kernels;

/// <summary>How the infinite-width kernels are computed and what is kept.</summary>
public sealed record KernelOptions
{
    /// <summary>Also compute the full NTK Θ = Σ_{h=1}^{H+1} lim G^(h) (docs/mathematics.md §5); fc and ResNet only.</summary>
    public bool ComputeTheta { get; init; } = true;

    /// <summary>Keep every lim G^(h), h = 1..H+1 (H+1 extra n×n matrices).</summary>
    public bool KeepLayerGrams { get; init; }

    /// <summary>Compute all eigenvalues of K^(H) and Θ (LAPACK; skip for very large n if only λ₀ is wanted).</summary>
    public bool ComputeSpectra { get; init; } = true;

    /// <summary>
    /// Use the Mehler (Hermite-series) fast path, falling back to the conditional quadrature pair by pair where its
    /// rigorous truncation bound exceeds <see cref="PairTolerance"/> times the pair's distance from parallel
    /// (docs/mathematics.md §4.6). False: tensor Gauss–Hermite quadrature for every pair (slow reference).
    /// </summary>
    public bool UseMehler { get; init; } = true;

    /// <summary>Nodes per axis of the tensor Gauss–Hermite rule of the <see cref="UseMehler"/> = false path.</summary>
    public int QuadratureDegree { get; init; } = BivariateGaussian.DefaultDegree;

    /// <summary>Highest Hermite degree of the Mehler series.</summary>
    public int MehlerOrder { get; init; } = MehlerExpansion.DefaultOrder;

    /// <summary>
    /// Truncation bound accepted from the Mehler series, relative to √(E[σ(u)²]E[σ(v)²]) times 1 − |ρ| (the pair's
    /// distance from parallel), before falling back to quadrature.
    /// </summary>
    public double PairTolerance { get; init; } = 1e-12;

    public static KernelOptions Default { get; } = new();
}
