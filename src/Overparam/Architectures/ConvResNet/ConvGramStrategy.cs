namespace Overparam.Architectures.ConvResNet;

/// <summary>
/// How <see cref="ConvResNetNetwork{T}.GramMatrices"/> forms G^(h)_ij = ⟨∂u_i/∂W^(h), ∂u_j/∂W^(h)⟩ (docs/mathematics.md §5, eq. 15),
/// where ∂u_i/∂W^(h) = Σ_l Δ_{i,l} φ_{i,l}ᵀ with Δ_{i,l} ∈ R^m the back-propagated vector at position l and
/// φ_{i,l} ∈ R^k (k = q·d_{h−1}) the patch. Both give the same matrix; they differ in cost.
/// </summary>
public enum ConvGramStrategy
{
    /// <summary>The cheaper of the two by <see cref="ConvGramCost"/>.</summary>
    Auto,

    /// <summary>Form J_i = Σ_l Δ_{i,l} φ_{i,l}ᵀ (m × k per sample), then G = J Jᵀ.</summary>
    PerSample,

    /// <summary>G_ij = Σ_{l,l′} (Δ_{i,l}·Δ_{j,l′}) (φ_{i,l}·φ_{j,l′}): two (n p)×(n p) Grams, Hadamard product, p×p block sums.</summary>
    PerPosition,
}

/// <summary>Floating-point operation counts of the two Gram strategies for one layer (multiply-add = 2 flops).</summary>
public static class ConvGramCost
{
    /// <summary>
    /// Per sample: n GEMMs J_i = Δ_iᵀ Φ_i of m × k × p (2·n·p·m·k) plus G = J Jᵀ of n × n × m·k (2·n²·m·k):
    /// 2·n·m·k·(p + n). E.g. n = 128, p = 64, m = 256, k = 768: 9.7 GFLOP.
    /// </summary>
    public static double PerSample(int n, int p, int m, int k) => 2.0 * n * m * k * ((double)p + n);

    /// <summary>
    /// Per position: Δ Δᵀ of (n p) × (n p) × m, Φ Φᵀ of (n p) × (n p) × k, then the Hadamard product and block sums:
    /// 2·(n p)²·(m + k + 1). E.g. n = 128, p = 64, m = 256, k = 768: 137 GFLOP; but with p = 1 it is the dense
    /// network's (X Xᵀ) ∘ (Δ Δᵀ) and beats the per-sample count 2·n·m·k·(1 + n) by a factor of about m·k/(m + k).
    /// </summary>
    public static double PerPosition(int n, int p, int m, int k) => 2.0 * n * p * n * p * (m + k + 1.0);

    /// <summary>The strategy with the smaller flop count (ties go to per-sample, whose memory is bounded).</summary>
    public static ConvGramStrategy Cheaper(int n, int p, int m, int k)
        => PerSample(n, p, m, k) <= PerPosition(n, p, m, k) ? ConvGramStrategy.PerSample : ConvGramStrategy.PerPosition;
}
