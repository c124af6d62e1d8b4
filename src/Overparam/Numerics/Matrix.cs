using System.Numerics;

namespace Overparam.Numerics;

/// <summary>
/// A dense row-major matrix of float64 or float32 entries: element (i, j) is Data[i * Cols + j]. A <see cref="View"/>
/// uses the first Rows·Cols entries of a longer array (a buffer sized for the largest batch); <see cref="Span"/> and
/// <see cref="Length"/> cover exactly the matrix.
/// </summary>
public sealed class Matrix<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public int Rows { get; }
    public int Cols { get; }
    public T[] Data { get; }

    public Matrix(int rows, int cols) : this(rows, cols, new T[checked(rows * cols)]) { }

    public Matrix(int rows, int cols, T[] data) : this(rows, cols, data, exact: true) { }

    private Matrix(int rows, int cols, T[] data, bool exact)
    {
        if (rows < 0 || cols < 0) throw new ArgumentOutOfRangeException(nameof(rows), "matrix dimensions must be non-negative");
        if (exact ? data.Length != rows * cols : data.Length < (long)rows * cols)
            throw new ArgumentException($"data has {data.Length} entries, expected {(exact ? "" : "at least ")}{rows}x{cols}");
        Rows = rows; Cols = cols; Data = data;
    }

    /// <summary>A rows × cols matrix over the first rows·cols entries of <paramref name="storage"/> (not copied).</summary>
    public static Matrix<T> View(int rows, int cols, T[] storage) => new(rows, cols, storage, exact: false);

    /// <summary>Rows · Cols.</summary>
    public int Length => Rows * Cols;

    public ref T this[int i, int j] => ref Data[i * Cols + j];

    public Span<T> Row(int i) => Data.AsSpan(i * Cols, Cols);

    public Span<T> Span => Data.AsSpan(0, Length);

    public Matrix<T> Clone() => new(Rows, Cols, Data[..Length]);

    public Matrix<T> Transpose()
    {
        var t = new Matrix<T>(Cols, Rows);
        for (int i = 0; i < Rows; i++)
            for (int j = 0; j < Cols; j++)
                t.Data[j * Rows + i] = Data[i * Cols + j];
        return t;
    }

    public static Matrix<T> Identity(int n)
    {
        var m = new Matrix<T>(n, n);
        for (int i = 0; i < n; i++) m[i, i] = T.One;
        return m;
    }

    public Matrix<TOut> Convert<TOut>() where TOut : unmanaged, IFloatingPointIeee754<TOut>
    {
        var o = new TOut[Length];
        for (int i = 0; i < o.Length; i++) o[i] = TOut.CreateChecked(Data[i]);
        return new Matrix<TOut>(Rows, Cols, o);
    }
}
