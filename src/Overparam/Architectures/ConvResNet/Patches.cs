using System.Numerics;
using Overparam.Numerics;

namespace Overparam.Architectures.ConvResNet;

/// <summary>
/// The patch operator φ of docs/mathematics.md §2.3 on a whole batch ("im2col") and its adjoint ("col2im").
/// A batch of n samples with C channels and p positions is held position-major: row i·p + l, column c.
/// φ has stride 1 and zero padding (q−1)/2 on each side and keeps p positions; patch column c·q + t holds channel c
/// at position l − (q−1)/2 + t, the column order of W^(h) (<see cref="NetworkFactory.Shapes"/>).
/// Both loops write their output sequentially and read padding from a row of zeros, so they carry no branches.
/// </summary>
internal static unsafe class Patches
{
    /// <summary>
    /// patches[(i, l), c·q + t] = scale_i · x[(i, l − (q−1)/2 + t), c], 0 outside positions 0 … p−1.
    /// With <paramref name="scale"/> null every scale_i is 1. patches has n·p rows of q·C entries.
    /// </summary>
    public static void Im2Col<T>(T[] x, int n, int p, int channels, int q, T[]? scale, T[] patches)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int pad = (q - 1) / 2, width = q * channels;
        var zeros = new T[channels];
        ForSamples(n, p * width, i =>
        {
            T s = scale is null ? T.One : scale[i];
            var src = stackalloc T*[q];
            fixed (T* px = x, pz = zeros, pp = patches)
                for (int l = 0; l < p; l++)
                {
                    for (int t = 0; t < q; t++)
                    {
                        int from = l - pad + t;
                        src[t] = from < 0 || from >= p ? pz : px + (long)(i * p + from) * channels;   // zero padding
                    }
                    T* dst = pp + (long)(i * p + l) * width;
                    if (q == 3)
                    {
                        T* a = src[0], b = src[1], c3 = src[2];
                        for (int c = 0; c < channels; c++, dst += 3)
                        {
                            dst[0] = s * a[c]; dst[1] = s * b[c]; dst[2] = s * c3[c];
                        }
                    }
                    else
                        for (int c = 0; c < channels; c++)
                            for (int t = 0; t < q; t++) *dst++ = s * src[t][c];
                }
        });
    }

    /// <summary>
    /// The adjoint of <see cref="Im2Col{T}"/>, added into <paramref name="x"/>:
    /// x[(i, l′), c] += Σ_t cols[(i, l′ + (q−1)/2 − t), c·q + t] over the offsets t that land inside 0 … p−1.
    /// Written as a gather over t, so that samples can run in parallel without races.
    /// </summary>
    public static void Col2ImAdd<T>(T[] cols, int n, int p, int channels, int q, T[] x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int pad = (q - 1) / 2, width = q * channels;
        var zeros = new T[width];
        ForSamples(n, p * width, i =>
        {
            var src = stackalloc T*[q];
            fixed (T* pc = cols, pz = zeros, px = x)
                for (int l = 0; l < p; l++)
                {
                    for (int t = 0; t < q; t++)
                    {
                        int from = l + pad - t;   // the patch position whose offset t sees position l
                        src[t] = (from < 0 || from >= p ? pz : pc + (long)(i * p + from) * width) + t;
                    }
                    T* dst = px + (long)(i * p + l) * channels;
                    if (q == 3)
                    {
                        T* a = src[0], b = src[1], c3 = src[2];
                        for (int c = 0, k = 0; c < channels; c++, k += 3) dst[c] += a[k] + b[k] + c3[k];
                    }
                    else
                        for (int c = 0; c < channels; c++)
                        {
                            T sum = dst[c];
                            for (int t = 0; t < q; t++) sum += src[t][c * q];
                            dst[c] = sum;
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
