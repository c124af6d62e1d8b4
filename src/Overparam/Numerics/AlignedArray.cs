using System.Runtime.InteropServices;

namespace Overparam.Numerics;

/// <summary>
/// Zeroed float64 storage that starts on a 64-byte boundary (a cache line), for loops that load eight doubles at a time:
/// a misaligned 64-byte load straddles two lines, and the online learner's pass over U and its traces ran 2× slower so.
/// The array is allocated on the pinned object heap, so the aligned offset stays valid.
/// </summary>
internal static class AlignedArray
{
    /// <summary>Doubles per cache line.</summary>
    public const int Line = 8;

    /// <summary><paramref name="length"/> zeros whose first element is 64-byte aligned.</summary>
    public static ArraySegment<double> Create(int length)
    {
        var data = GC.AllocateArray<double>(length + Line - 1, pinned: true);
        long address = Marshal.UnsafeAddrOfPinnedArrayElement(data, 0);
        int offset = (int)((64 - address % 64) % 64 / sizeof(double));
        return new ArraySegment<double>(data, offset, length);
    }

    /// <summary>A row length rounded up to whole cache lines, so that every row of a matrix of that stride is aligned.</summary>
    public static int Stride(int columns) => (columns + Line - 1) / Line * Line;

    /// <summary>Copies <paramref name="rows"/> rows of <paramref name="columns"/> values between layouts of different row strides.</summary>
    public static void CopyRows(ReadOnlySpan<double> from, int fromStride, Span<double> to, int toStride, int rows, int columns)
    {
        for (int r = 0; r < rows; r++) from.Slice(r * fromStride, columns).CopyTo(to.Slice(r * toStride, columns));
    }
}
