using MathNet.Numerics.LinearAlgebra;
using MathMatrix = MathNet.Numerics.LinearAlgebra.Matrix<double>;
using MathNet.Numerics.Providers.LinearAlgebra;

namespace Overparam.Numerics;

/// <summary>
/// Fallback when OpenBLAS is absent: Math.NET Numerics' managed provider (correct, about 25× slower than OpenBLAS here).
/// Math.NET is column-major, so a row-major product C = op(A)op(B) is computed as the column-major Cᵀ = op(B)ᵀop(A)ᵀ.
/// </summary>
public sealed class ManagedBackend : ILinearAlgebraBackend
{
    private readonly ILinearAlgebraProvider provider = ManagedLinearAlgebraProvider.Instance;

    public string Name => "managed";
    public string CoreType => "managed";
    public int Threads { get; set; } = Environment.ProcessorCount;

    public void Dgemm(bool transA, bool transB, int m, int n, int k, double alpha, ReadOnlySpan<double> a, int lda,
        ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc)
        => Gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc,
            (ta, tb, al, A, ra, ca, B, rb, cb, be, C) => provider.MatrixMultiplyWithUpdate(ta, tb, al, A, ra, ca, B, rb, cb, be, C));

    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
        => Gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc,
            (ta, tb, al, A, ra, ca, B, rb, cb, be, C) => provider.MatrixMultiplyWithUpdate(ta, tb, al, A, ra, ca, B, rb, cb, be, C));

    private delegate void ColumnMajorGemm<T>(Transpose ta, Transpose tb, T alpha, T[] a, int rowsA, int colsA,
        T[] b, int rowsB, int colsB, T beta, T[] c);

    private static void Gemm<T>(bool transA, bool transB, int m, int n, int k, T alpha, ReadOnlySpan<T> a, int lda,
        ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc, ColumnMajorGemm<T> gemm) where T : unmanaged
    {
        if (m == 0 || n == 0) return;
        // Pack the row-major operands densely; as column-major arrays they hold the transposes.
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        var A = Pack(a, aRows, aCols, lda);
        var B = Pack(b, bRows, bCols, ldb);
        var C = Pack(c, m, n, ldc);
        // Column-major: Cᵀ (n×m) = op(B)ᵀ (n×k) · op(A)ᵀ (k×m); stored B is column-major bCols×bRows.
        gemm(transB ? Transpose.Transpose : Transpose.DontTranspose, transA ? Transpose.Transpose : Transpose.DontTranspose,
            alpha, B, bCols, bRows, A, aCols, aRows, beta, C);
        for (int i = 0; i < m; i++) C.AsSpan(i * n, n).CopyTo(c.Slice(i * ldc, n));
    }

    private static T[] Pack<T>(ReadOnlySpan<T> source, int rows, int cols, int ld) where T : unmanaged
    {
        var packed = new T[rows * cols];
        for (int i = 0; i < rows; i++) source.Slice(i * ld, cols).CopyTo(packed.AsSpan(i * cols, cols));
        return packed;
    }

    public double[] Gram(ReadOnlySpan<double> a, int rows, int cols, bool ofColumns)
    {
        int n = ofColumns ? cols : rows, k = ofColumns ? rows : cols;
        var c = new double[n * n];
        Dgemm(ofColumns, !ofColumns, n, n, k, 1.0, a, cols, a, cols, 0.0, c, n);
        return c;
    }

    public double[] SymmetricEigenvalues(ReadOnlySpan<double> a, int n)
    {
        var m = MathMatrix.Build.Dense(n, n, a.ToArray());
        var values = m.Evd(Symmetricity.Symmetric).EigenValues;
        var result = new double[n];
        for (int i = 0; i < n; i++) result[i] = values[i].Real;
        Array.Sort(result);
        return result;
    }

    public double SmallestEigenvalue(ReadOnlySpan<double> a, int n) => SymmetricEigenvalues(a, n)[0];

    // Math.NET's Cholesky of the symmetric matrix the upper triangle defines; it throws when a pivot is not positive.
    public bool Cholesky(Span<double> a, int n)
    {
        if (a.Length < n * n) throw new ArgumentException($"a {n}×{n} matrix needs {n * n} values, got {a.Length}");
        if (n == 0) return true;
        var m = MathMatrix.Build.Dense(n, n);
        for (int i = 0; i < n; i++)
            for (int j = i; j < n; j++) m[i, j] = m[j, i] = a[i * n + j];
        MathMatrix lower;
        try { lower = m.Cholesky().Factor; }
        catch (ArgumentException) { return false; }
        for (int i = 0; i < n; i++)
            for (int j = i; j < n; j++) a[i * n + j] = lower[j, i];                 // R = Lᵀ into the upper triangle
        return true;
    }

    public double[] SingularValues(ReadOnlySpan<double> a, int rows, int cols)
    {
        if (Math.Min(rows, cols) == 0) return [];
        return ColumnMajor(a, rows, cols).Svd(computeVectors: false).S.ToArray();
    }

    // x = Σ_{σ_j > rcond·σ_max} v_j (u_jᵀ b) / σ_j, the minimum-norm solution (what dgelsd computes).
    public double[] LeastSquares(ReadOnlySpan<double> a, int rows, int cols, ReadOnlySpan<double> b, int nrhs, double rcond, out int rank)
    {
        var x = new double[cols * nrhs];
        rank = 0;
        if (Math.Min(rows, cols) == 0) return x;
        var svd = ColumnMajor(a, rows, cols).Svd(computeVectors: true);
        var bm = ColumnMajor(b, rows, nrhs);
        double threshold = rcond * svd.S[0];
        for (int j = 0; j < svd.S.Count; j++)
        {
            if (!(svd.S[j] > threshold)) continue;
            rank++;
            var coefficients = bm.TransposeThisAndMultiply(svd.U.Column(j)) / svd.S[j];   // (u_jᵀ B) / σ_j, one per right-hand side
            var v = svd.VT.Row(j);
            for (int i = 0; i < cols; i++)
                for (int c = 0; c < nrhs; c++) x[i * nrhs + c] += v[i] * coefficients[c];
        }
        return x;
    }

    private static MathMatrix ColumnMajor(ReadOnlySpan<double> rowMajor, int rows, int cols)
    {
        var m = MathMatrix.Build.Dense(rows, cols);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) m[i, j] = rowMajor[i * cols + j];
        return m;
    }
}
