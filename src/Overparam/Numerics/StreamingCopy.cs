using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Overparam.Numerics;

/// <summary>
/// A copy whose whole cache lines are written by non-temporal (streaming) stores, for data one core produces and another
/// reads: an ordinary store to a line the reader's cache holds must first take the line over (read for ownership), and
/// on the 2-vCPU machine of bench/README.md that made Entropy-SGD's noise worker write its 0.95 MB of draws 2× slower
/// (350 against 175 µs) and the reader's pass no faster. The partial lines at either end are copied as usual; the copy
/// ends with a store fence, so the data are visible to a thread that is signalled afterwards. Without AVX the copy is
/// an ordinary one.
/// </summary>
internal static class StreamingCopy
{
    private const int Line = 64;

    /// <summary>Copies <paramref name="source"/> to <paramref name="target"/> (of the same length).</summary>
    public static unsafe void Copy<T>(ReadOnlySpan<T> source, Span<T> target) where T : unmanaged
    {
        var from = MemoryMarshal.AsBytes(source);
        var to = MemoryMarshal.AsBytes(target);
        if (from.Length != to.Length) throw new ArgumentException("source and target differ in length");
        if (!Avx.IsSupported || from.Length < 2 * Line)
        {
            from.CopyTo(to);
            return;
        }
        fixed (byte* s = from)
        fixed (byte* d = to)
        {
            int head = (int)((Line - (nint)d % Line) % Line), n = from.Length, whole = head + (n - head) / Line * Line;
            from[..head].CopyTo(to);
            for (int j = head; j < whole; j += Line)
                if (Avx512F.IsSupported) Avx512F.StoreAlignedNonTemporal(d + j, Vector512.Load(s + j));
                else
                {
                    Avx.StoreAlignedNonTemporal(d + j, Vector256.Load(s + j));
                    Avx.StoreAlignedNonTemporal(d + j + 32, Vector256.Load(s + j + 32));
                }
            from[whole..].CopyTo(to[whole..]);
            Sse.StoreFence();
        }
    }
}
