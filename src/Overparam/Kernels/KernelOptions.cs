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
    /// Use the Mehler (Hermite-series) fast path, falling back to tensor quadrature pair by pair where its rigorous
    /// truncation bound exceeds <see cref="PairTolerance"/>. False: tensor quadrature for every pair (slow reference).
    /// </summary>
    public bool UseMehler { get; init; } = true;

    /// <summary>Nodes per axis of the tensor Gauss–Hermite rule.</summary>
    public int QuadratureDegree { get; init; } = BivariateGaussian.DefaultDegree;

    /// <summary>
    /// Nodes per axis of the rule used for the Mehler fallback pairs (|ρ| near 1 with slowly decaying coefficients);
    /// higher than <see cref="QuadratureDegree"/> because those are exactly the pairs where low degrees are least accurate.
    /// </summary>
    public int FallbackQuadratureDegree { get; init; } = 200;

    /// <summary>Highest Hermite degree of the Mehler series.</summary>
    public int MehlerOrder { get; init; } = MehlerExpansion.DefaultOrder;

    /// <summary>Relative truncation bound accepted from the Mehler series before falling back to quadrature.</summary>
    public double PairTolerance { get; init; } = 1e-12;

    public static KernelOptions Default { get; } = new();
}
