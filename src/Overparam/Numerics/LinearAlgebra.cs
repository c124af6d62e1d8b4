using System.Numerics;

namespace Overparam.Numerics;

/// <summary>
/// Entry point for dense linear algebra. The backend is OpenBLAS when it can be loaded, otherwise Math.NET's managed
/// provider with a one-line notice on standard error naming the package to install.
/// </summary>
public static class LinearAlgebra
{
    private static ILinearAlgebraBackend? backend;
    private static readonly Lock Gate = new();

    /// <summary>Notice printed when OpenBLAS is missing.</summary>
    public const string FallbackNotice =
        "notice: OpenBLAS not found; using the managed fallback (about 25x slower). Install it with: apt-get install libopenblas0-pthread";

    private static readonly AsyncLocal<ILinearAlgebraBackend?> Scoped = new();

    /// <summary>
    /// The backend in use: one set with <see cref="Use"/> in the current async flow, else the process-wide one
    /// (OpenBLAS when it loads, else the managed fallback with a notice; OVERPARAM_BLAS=managed forces the fallback).
    /// </summary>
    public static ILinearAlgebraBackend Backend
    {
        get
        {
            if (Scoped.Value is { } scoped) return scoped;
            if (backend is not null) return backend;
            lock (Gate)
            {
                return backend ??= Select(() => OpenBlasBackend.TryLoad(out _), Console.Error);
            }
        }
        set => backend = value;
    }

    /// <summary>OpenBLAS if <paramref name="tryOpenBlas"/> loads it, else the managed backend with <see cref="FallbackNotice"/>.</summary>
    public static ILinearAlgebraBackend Select(Func<ILinearAlgebraBackend?> tryOpenBlas, TextWriter notices)
    {
        if (Environment.GetEnvironmentVariable("OVERPARAM_BLAS") == "managed") return new ManagedBackend();
        var native = tryOpenBlas();
        if (native is not null) return native;
        notices.WriteLine(FallbackNotice);
        return new ManagedBackend();
    }

    /// <summary>Uses <paramref name="scoped"/> for this async flow (and the tasks it starts) until disposed; for tests and comparisons.</summary>
    public static IDisposable Use(ILinearAlgebraBackend scoped)
    {
        var previous = Scoped.Value;
        Scoped.Value = scoped;
        return new Restore(() => Scoped.Value = previous);
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }

    /// <summary>C = alpha·op(A)·op(B) + beta·C on whole matrices.</summary>
    public static void Gemm<T>(Matrix<T> a, bool transA, Matrix<T> b, bool transB, Matrix<T> c, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int m = transA ? a.Cols : a.Rows, k = transA ? a.Rows : a.Cols;
        int kb = transB ? b.Cols : b.Rows, n = transB ? b.Rows : b.Cols;
        if (k != kb || c.Rows != m || c.Cols != n)
            throw new ArgumentException($"gemm shapes: op(A) {m}x{k}, op(B) {kb}x{n}, C {c.Rows}x{c.Cols}");
        Gemm(transA, transB, m, n, k, alpha, a.Data, a.Cols, b.Data, b.Cols, beta, c.Data, c.Cols);
    }

    /// <summary>Row-major GEMM on spans, dispatching on the element type.</summary>
    public static void Gemm<T>(bool transA, bool transB, int m, int n, int k, T alpha, ReadOnlySpan<T> a, int lda,
        ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(double))
            Backend.Dgemm(transA, transB, m, n, k, double.CreateTruncating(alpha), Cast<T, double>(a), lda,
                Cast<T, double>(b), ldb, double.CreateTruncating(beta), Cast<T, double>(c), ldc);
        else if (typeof(T) == typeof(float))
            Backend.Sgemm(transA, transB, m, n, k, float.CreateTruncating(alpha), Cast<T, float>(a), lda,
                Cast<T, float>(b), ldb, float.CreateTruncating(beta), Cast<T, float>(c), ldc);
        else throw new NotSupportedException($"no GEMM for {typeof(T)}");
    }

    /// <summary>op(A)·op(B) as a new matrix.</summary>
    public static Matrix<T> Multiply<T>(Matrix<T> a, bool transA, Matrix<T> b, bool transB)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var c = new Matrix<T>(transA ? a.Cols : a.Rows, transB ? b.Rows : b.Cols);
        Gemm(a, transA, b, transB, c, T.One, T.Zero);
        return c;
    }

    /// <summary>A·Aᵀ, or Aᵀ·A when <paramref name="ofColumns"/> (BLAS dsyrk, both triangles filled).</summary>
    public static Matrix<double> Gram(Matrix<double> a, bool ofColumns)
    {
        int n = ofColumns ? a.Cols : a.Rows;
        return new Matrix<double>(n, n, Backend.Gram(a.Span, a.Rows, a.Cols, ofColumns));
    }

    /// <summary>All eigenvalues of a symmetric matrix, ascending.</summary>
    public static double[] SymmetricEigenvalues(Matrix<double> a)
    {
        RequireSquare(a);
        return Backend.SymmetricEigenvalues(a.Data, a.Rows);
    }

    /// <summary>λ_min of a symmetric matrix.</summary>
    public static double SmallestEigenvalue(Matrix<double> a)
    {
        RequireSquare(a);
        return Backend.SmallestEigenvalue(a.Data, a.Rows);
    }

    /// <summary>Cholesky factorization of a symmetric matrix in place (LAPACK dpotrf, upper triangle): whether it ran to completion.</summary>
    public static bool Cholesky(Matrix<double> a)
    {
        RequireSquare(a);
        return Backend.Cholesky(a.Data, a.Rows);
    }

    /// <summary>The min(rows, cols) singular values of a matrix, descending.</summary>
    public static double[] SingularValues(Matrix<double> a) => Backend.SingularValues(a.Span, a.Rows, a.Cols);

    /// <summary>
    /// The minimum-norm least-squares solution X of min ‖A X − B‖_F (A rows × cols, B rows × nrhs), treating singular values
    /// at most rcond·σ_max as zero, and the rank that leaves.
    /// </summary>
    public static (Matrix<double> X, int Rank) LeastSquares(Matrix<double> a, Matrix<double> b, double rcond)
    {
        if (a.Rows != b.Rows) throw new ArgumentException($"least squares: A has {a.Rows} rows, B has {b.Rows}");
        var x = Backend.LeastSquares(a.Span, a.Rows, a.Cols, b.Span, b.Cols, rcond, out int rank);
        return (new Matrix<double>(a.Cols, b.Cols, x), rank);
    }

    /// <summary>‖A − B‖₂ for symmetric A and B: the largest |eigenvalue| of the difference.</summary>
    public static double SpectralDistance(Matrix<double> a, Matrix<double> b)
    {
        var d = new Matrix<double>(a.Rows, a.Cols);
        System.Numerics.Tensors.TensorPrimitives.Subtract(a.Data, b.Data, d.Data);
        var ev = SymmetricEigenvalues(d);
        return ev.Length == 0 ? 0 : Math.Max(Math.Abs(ev[0]), Math.Abs(ev[^1]));
    }

    private static void RequireSquare(Matrix<double> a)
    {
        if (a.Rows != a.Cols) throw new ArgumentException($"expected a square matrix, got {a.Rows}x{a.Cols}");
    }

    private static ReadOnlySpan<TTo> Cast<TFrom, TTo>(ReadOnlySpan<TFrom> s) where TFrom : unmanaged where TTo : unmanaged
        => System.Runtime.InteropServices.MemoryMarshal.Cast<TFrom, TTo>(s);

    private static Span<TTo> Cast<TFrom, TTo>(Span<TFrom> s) where TFrom : unmanaged where TTo : unmanaged
        => System.Runtime.InteropServices.MemoryMarshal.Cast<TFrom, TTo>(s);
}
