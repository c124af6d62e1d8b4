using System.Numerics;
using System.Numerics.Tensors;
using Overparam.Numerics;

namespace Overparam.Architectures.Dense;

/// <summary>
/// Batch normalization of one layer's pre-activations, exactly PyTorch's
/// <c>BatchNorm1d(m, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True)</c> (docs/mathematics.md §2.6). For a
/// batch Z (n × m, row-major), per column c:
/// <code>
///   training:   μ_c = (1/n) Σ_i Z_ic,   v_c = (1/n) Σ_i (Z_ic − μ_c)²   (biased: the normalization's variance)
///               Ẑ = (Z − μ) / √(v + ε),   Y = γ ⊙ Ẑ + β
///               running_mean ← (1 − 0.1)·running_mean + 0.1·μ
///               running_var  ← (1 − 0.1)·running_var  + 0.1·v·n/(n − 1)   (unbiased)
///   evaluation: Ẑ = (Z − running_mean) / √(running_var + ε),   Y = γ ⊙ Ẑ + β   (nothing updated)
/// </code>
/// with ε = 1e-5, and γ = 1, β = 0, running_mean = 0, running_var = 1 at initialization. Backward, from G = ∂L/∂Y:
/// <code>
///   ∂L/∂γ = Σ_i G_i ⊙ Ẑ_i,   ∂L/∂β = Σ_i G_i
///   training:   ∂L/∂Z_i = γ/√(v + ε) ⊙ (G_i − (1/n) Σ_j G_j − Ẑ_i ⊙ (1/n) Σ_j G_j ⊙ Ẑ_j)   (μ and v depend on every sample)
///   evaluation: ∂L/∂Z_i = γ/√(running_var + ε) ⊙ G_i
/// </code>
/// The column sums are accumulated row by row (i = 0 … n−1) on the calling thread, so the numbers do not depend on the
/// thread count.
/// </summary>
public sealed class BatchNorm<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>PyTorch's defaults.</summary>
    public const double Epsilon = 1e-5, Momentum = 0.1;

    private readonly T[] gamma, beta, runningMean, runningVar;
    private readonly T[] mean, inv, sumG, sumGZ, scratch, shiftStore, slopeStore;
    private T[] normalizedStore = [];
    private Matrix<T> normalized = new(0, 0);
    private bool training;

    /// <param name="gamma">γ, bn{h}.weight (the parameter's array, shared).</param>
    /// <param name="beta">β, bn{h}.bias.</param>
    /// <param name="runningMean">The buffer bn{h}.running_mean (shared).</param>
    /// <param name="runningVar">The buffer bn{h}.running_var.</param>
    public BatchNorm(T[] gamma, T[] beta, T[] runningMean, T[] runningVar)
    {
        int m = gamma.Length;
        if (beta.Length != m || runningMean.Length != m || runningVar.Length != m)
            throw new ArgumentException($"batch norm: γ has {m} entries, β {beta.Length}, running_mean {runningMean.Length}, running_var {runningVar.Length}");
        (this.gamma, this.beta, this.runningMean, this.runningVar) = (gamma, beta, runningMean, runningVar);
        mean = new T[m]; inv = new T[m]; sumG = new T[m]; sumGZ = new T[m]; scratch = new T[m]; shiftStore = new T[m]; slopeStore = new T[m];
    }

    /// <summary>∂L/∂γ and ∂L/∂β of the last <see cref="Backward"/>.</summary>
    public ReadOnlySpan<T> GammaGradient => sumGZ;
    public ReadOnlySpan<T> BetaGradient => sumG;

    /// <summary>Z → Y in place; with <paramref name="batchStatistics"/> the batch's statistics (and the running ones are updated), else the running ones.</summary>
    public void Forward(Matrix<T> z, bool batchStatistics)
    {
        int n = z.Rows, m = z.Cols;
        if (m != gamma.Length) throw new ArgumentException($"batch norm over {gamma.Length} features, the layer has {m}");
        if (batchStatistics && n < 2)
            throw new InvalidOperationException($"batch norm with batch statistics needs at least 2 samples per batch, got {n} (as PyTorch's BatchNorm1d in training mode)");
        training = batchStatistics;
        normalized = Buffer(n, m);
        T eps = T.CreateTruncating(Epsilon), invN = T.One / T.CreateTruncating(n);
        var zhat = normalized;
        var mu = mean.AsSpan();
        var iv = inv.AsSpan();
        if (batchStatistics)
        {
            mu.Clear();
            for (int i = 0; i < n; i++) TensorPrimitives.Add(mu, z.Row(i), mu);
            TensorPrimitives.Multiply(mu, invN, mu);                                   // μ
            iv.Clear();
            for (int i = 0; i < n; i++)
            {
                var centred = zhat.Row(i);
                TensorPrimitives.Subtract(z.Row(i), mu, centred);       // Z − μ
                TensorPrimitives.MultiplyAdd(centred, centred, iv, iv);                // Σ (Z − μ)²
            }
            TensorPrimitives.Multiply(iv, invN, iv);                                   // v, biased
            UpdateRunning(n, mu, iv);
            TensorPrimitives.Add(iv, eps, iv);
            TensorPrimitives.ReciprocalSqrt(iv, iv);                                   // 1/√(v + ε)
            for (int i = 0; i < n; i++) TensorPrimitives.Multiply(zhat.Row(i), iv, zhat.Row(i));
        }
        else
        {
            TensorPrimitives.Add(runningVar.AsSpan(), eps, iv);
            TensorPrimitives.ReciprocalSqrt(iv, iv);                                   // 1/√(running_var + ε)
            var rm = runningMean.AsSpan();
            for (int i = 0; i < n; i++)
            {
                var row = zhat.Row(i);
                TensorPrimitives.Subtract(z.Row(i), rm, row);
                TensorPrimitives.Multiply(row, iv, row);
            }
        }
        var g = gamma.AsSpan();
        var b = beta.AsSpan();
        for (int i = 0; i < n; i++) TensorPrimitives.MultiplyAdd(zhat.Row(i), g, b, z.Row(i));   // Y = γẐ + β
    }

    // running ← (1 − momentum)·running + momentum·statistic, with the unbiased variance v·n/(n − 1).
    private void UpdateRunning(int n, ReadOnlySpan<T> mu, ReadOnlySpan<T> biasedVar)
    {
        T keep = T.CreateTruncating(1 - Momentum), take = T.CreateTruncating(Momentum);
        var rm = runningMean.AsSpan();
        var rv = runningVar.AsSpan();
        var unbiased = scratch.AsSpan();
        TensorPrimitives.Multiply(biasedVar, T.CreateTruncating(n) / T.CreateTruncating(n - 1), unbiased);
        TensorPrimitives.Multiply(rm, keep, rm);
        TensorPrimitives.MultiplyAdd(mu, take, rm, rm);
        TensorPrimitives.Multiply(rv, keep, rv);
        TensorPrimitives.MultiplyAdd(unbiased, take, rv, rv);
    }

    /// <summary>After <see cref="Forward"/>: G = ∂L/∂Y → ∂L/∂Z in place, and ∂L/∂γ, ∂L/∂β into <see cref="GammaGradient"/>, <see cref="BetaGradient"/>.</summary>
    public void Backward(Matrix<T> g)
    {
        int n = g.Rows, m = g.Cols;
        if (n != normalized.Rows || m != normalized.Cols) throw new InvalidOperationException("batch norm: Backward needs the Forward of the same batch");
        var zhat = normalized;
        T invN = T.One / T.CreateTruncating(n);
        bool batch = training;
        var sg = sumG.AsSpan();
        var sgz = sumGZ.AsSpan();
        sg.Clear(); sgz.Clear();
        for (int i = 0; i < n; i++)
        {
            var gi = g.Row(i);
            TensorPrimitives.Add(sg, gi, sg);                                          // ∂L/∂β = Σ G
            TensorPrimitives.MultiplyAdd(gi, zhat.Row(i), sgz, sgz);    // ∂L/∂γ = Σ G ⊙ Ẑ
        }
        var k = scratch.AsSpan();
        TensorPrimitives.Multiply(gamma.AsSpan(), inv.AsSpan(), k);     // γ/√(v + ε)
        if (!batch)
        {
            for (int i = 0; i < n; i++) TensorPrimitives.Multiply(g.Row(i), k, g.Row(i));
            return;
        }
        var shift = shiftStore.AsSpan();
        var slope = slopeStore.AsSpan();
        TensorPrimitives.Multiply(sg, invN, shift);
        TensorPrimitives.Multiply(shift, k, shift);                                    // k·mean(G)
        TensorPrimitives.Multiply(sgz, invN, slope);
        TensorPrimitives.Multiply(slope, k, slope);
        TensorPrimitives.Negate(slope, slope);                                         // −k·mean(G ⊙ Ẑ)
        for (int i = 0; i < n; i++)
        {
            var gi = g.Row(i);
            TensorPrimitives.Multiply(gi, k, gi);
            TensorPrimitives.Subtract(gi, shift, gi);
            TensorPrimitives.MultiplyAdd(zhat.Row(i), slope, gi, gi);  // k·(G − mean G − Ẑ·mean(G ⊙ Ẑ))
        }
    }

    private Matrix<T> Buffer(int n, int m)
    {
        int length = checked(n * m);
        if (normalizedStore.Length < length) normalizedStore = new T[length];
        return Matrix<T>.View(n, m, normalizedStore);
    }
}
