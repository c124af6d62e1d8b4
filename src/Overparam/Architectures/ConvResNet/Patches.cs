using System.Numerics;
using Overparam.Numerics;

namespace Overparam.Architectures.ConvResNet;

/// <summary>
/// The patch operator φ of spec §2.3 on a whole batch ("im2col") and its adjoint ("col2im").
/// A batch of n samples with C channels and p positions is held position-major: row i·p + l, column c.
/// φ has stride 1 and zero padding (q−1)/2 on each side and keeps p positions; patch column c·q + t holds channel c
/// at position l − (q−1)/2 + t, the column order of W^(h) (<see cref="NetworkFactory.Shapes"/>).
/// </summary>
internal static class Patches
{
    /// <summary>
    /// patches[(i, l), c·q + t] = scale_i · x[(i, l − (q−1)/2 + t), c], 0 outside positions 0 … p−1.
    /// With <paramref name="scale"/> null every scale_i is 1. patches has n·p rows of q·C entries.
    /// </summary>
    public static void Im2Col<T>(T[] x, int n, int p, int channels, int q, T[]? scale, T[] patches)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int pad = (q - 1) / 2, width = q * channels;
        ForSamples(n, p * width, i =>
        {
            T s = scale is null ? T.One : scale[i];
            for (int l = 0; l < p; l++)
            {
                var dst = patches.AsSpan((i * p + l) * width, width);
                for (int t = 0; t < q; t++)
                {
                    int src = l - pad + t;
                    if (src < 0 || src >= p)
                    {
                        for (int c = 0; c < channels; c++) dst[c * q + t] = T.Zero;   // zero padding
                        continue;
                    }
                    var row = x.AsSpan((i * p + src) * channels, channels);
                    for (int c = 0; c < channels; c++) dst[c * q + t] = s * row[c];
                }
            }
        });
    }

    /// <summary>
    /// The adjoint of <see cref="Im2Col{T}"/>, added into <paramref name="x"/>:
    /// x[(i, l′), c] += Σ_t cols[(i, l′ + (q−1)/2 − t), c·q + t] over the offsets t that land inside 0 … p−1.
    /// Written as a gather over t, so that samples and positions can run in parallel without races.
    /// </summary>
    public static void Col2ImAdd<T>(T[] cols, int n, int p, int channels, int q, T[] x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int pad = (q - 1) / 2, width = q * channels;
        ForSamples(n, p * width, i =>
        {
            for (int l = 0; l < p; l++)
            {
                var dst = x.AsSpan((i * p + l) * channels, channels);
                for (int t = 0; t < q; t++)
                {
                    int from = l + pad - t;   // the patch position whose offset t sees position l
                    if (from < 0 || from >= p) continue;
                    var src = cols.AsSpan((i * p + from) * width, width);
                    for (int c = 0; c < channels; c++) dst[c] += src[c * q + t];
                }
            }
        });
    }

    /// <summary>body(i) for every sample i, in parallel when there is enough work (work = elements per sample).</summary>
    private static void ForSamples(int n, int work, Action<int> body)
    {
        if (Chunks.Threads <= 1 || (long)n * work <= Chunks.Size)
        {
            for (int i = 0; i < n; i++) body(i);
            return;
        }
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = Chunks.Threads }, body);
    }
}
