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
/// The column sums are accumulated row by row (i = 0 … n−1) in every split of the columns over threads, so the numbers
/// do not depend on the thread count.
/// </summary>
public sealed class BatchNorm<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>PyTorch's defaults.</summary>
    public const double Epsilon = 1e-5, Momentum = 0.1;

    private readonly T[] gamma, beta, runningMean, runningVar;
    private readonly T[] mean, inv, sumG, sumGZ, scratch;
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
        mean = new T[m]; inv = new T[m]; sumG = new T[m]; sumGZ = new T[m]; scratch = new T[m];
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
        Columns(n, m, (c0, len) =>
        {
            var mu = mean.AsSpan(c0, len);
            var iv = inv.AsSpan(c0, len);
            if (batchStatistics)
            {
                mu.Clear();
                for (int i = 0; i < n; i++) TensorPrimitives.Add(mu, z.Row(i).Slice(c0, len), mu);
                TensorPrimitives.Multiply(mu, invN, mu);                                   // μ
                iv.Clear();
                for (int i = 0; i < n; i++)
                {
                    var centred = zhat.Row(i).Slice(c0, len);
                    TensorPrimitives.Subtract(z.Row(i).Slice(c0, len), mu, centred);       // Z − μ
                    TensorPrimitives.MultiplyAdd(centred, centred, iv, iv);                // Σ (Z − μ)²
                }
                TensorPrimitives.Multiply(iv, invN, iv);                                   // v, biased
                UpdateRunning(c0, len, n, mu, iv);
                TensorPrimitives.Add(iv, eps, iv);
                TensorPrimitives.ReciprocalSqrt(iv, iv);                                   // 1/√(v + ε)
                for (int i = 0; i < n; i++) TensorPrimitives.Multiply(zhat.Row(i).Slice(c0, len), iv, zhat.Row(i).Slice(c0, len));
            }
            else
            {
                TensorPrimitives.Add(runningVar.AsSpan(c0, len), eps, iv);
                TensorPrimitives.ReciprocalSqrt(iv, iv);                                   // 1/√(running_var + ε)
                var rm = runningMean.AsSpan(c0, len);
                for (int i = 0; i < n; i++)
                {
                    var row = zhat.Row(i).Slice(c0, len);
                    TensorPrimitives.Subtract(z.Row(i).Slice(c0, len), rm, row);
                    TensorPrimitives.Multiply(row, iv, row);
                }
            }
            var g = gamma.AsSpan(c0, len);
            var b = beta.AsSpan(c0, len);
            for (int i = 0; i < n; i++) TensorPrimitives.MultiplyAdd(zhat.Row(i).Slice(c0, len), g, b, z.Row(i).Slice(c0, len));   // Y = γẐ + β
        });
    }

    // running ← (1 − momentum)·running + momentum·statistic, with the unbiased variance v·n/(n − 1).
    private void UpdateRunning(int c0, int len, int n, ReadOnlySpan<T> mu, ReadOnlySpan<T> biasedVar)
    {
        T keep = T.CreateTruncating(1 - Momentum), take = T.CreateTruncating(Momentum);
        var rm = runningMean.AsSpan(c0, len);
        var rv = runningVar.AsSpan(c0, len);
        var unbiased = scratch.AsSpan(c0, len);
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
        Columns(n, m, (c0, len) =>
        {
            var sg = sumG.AsSpan(c0, len);
            var sgz = sumGZ.AsSpan(c0, len);
            sg.Clear(); sgz.Clear();
            for (int i = 0; i < n; i++)
            {
                var gi = g.Row(i).Slice(c0, len);
                TensorPrimitives.Add(sg, gi, sg);                                          // ∂L/∂β = Σ G
                TensorPrimitives.MultiplyAdd(gi, zhat.Row(i).Slice(c0, len), sgz, sgz);    // ∂L/∂γ = Σ G ⊙ Ẑ
            }
            var k = scratch.AsSpan(c0, len);
            TensorPrimitives.Multiply(gamma.AsSpan(c0, len), inv.AsSpan(c0, len), k);     // γ/√(v + ε)
            if (!batch)
            {
                for (int i = 0; i < n; i++) TensorPrimitives.Multiply(g.Row(i).Slice(c0, len), k, g.Row(i).Slice(c0, len));
                return;
            }
            Span<T> shift = len <= 256 ? stackalloc T[len] : new T[len];
            Span<T> slope = len <= 256 ? stackalloc T[len] : new T[len];
            TensorPrimitives.Multiply(sg, invN, shift);
            TensorPrimitives.Multiply(shift, k, shift);                                    // k·mean(G)
            TensorPrimitives.Multiply(sgz, invN, slope);
            TensorPrimitives.Multiply(slope, k, slope);
            TensorPrimitives.Negate(slope, slope);                                         // −k·mean(G ⊙ Ẑ)
            for (int i = 0; i < n; i++)
            {
                var gi = g.Row(i).Slice(c0, len);
                TensorPrimitives.Multiply(gi, k, gi);
                TensorPrimitives.Subtract(gi, shift, gi);
                TensorPrimitives.MultiplyAdd(zhat.Row(i).Slice(c0, len), slope, gi, gi);  // k·(G − mean G − Ẑ·mean(G ⊙ Ẑ))
            }
        });
    }

    private Matrix<T> Buffer(int n, int m)
    {
        int length = checked(n * m);
        if (normalizedStore.Length < length) normalizedStore = new T[length];
        return Matrix<T>.View(n, m, normalizedStore);
    }

    /// <summary>Columns of at least this many features go to one thread.</summary>
    private const int MinBlock = 64;

    // body(c0, len) over blocks of columns: serial for small layers (as Chunks.For), else one block per thread.
    private static void Columns(int n, int m, Action<int, int> body)
    {
        int blocks = Math.Min(Chunks.Threads, m / MinBlock);
        if (blocks <= 1 || (long)n * m < Chunks.SerialBelow) { body(0, m); return; }
        int width = ((m + blocks - 1) / blocks + 7) / 8 * 8;
        Parallel.For(0, (m + width - 1) / width, new ParallelOptions { MaxDegreeOfParallelism = Chunks.Threads },
            b => body(b * width, Math.Min(width, m - b * width)));
    }
}
