namespace Overparam.Numerics;

/// <summary>
/// The dense kernels the library needs, on row-major storage: C = alpha·op(A)·op(B) + beta·C
/// (op(A) is m×k, op(B) is k×n, lda/ldb/ldc are row strides) and the eigenvalues of a symmetric matrix.
/// </summary>
public interface ILinearAlgebraBackend
{
    /// <summary>Short name recorded in config.json: "openblas" or "managed".</summary>
    string Name { get; }

    /// <summary>The BLAS core type in use (OpenBLAS's openblas_get_corename), or "managed".</summary>
    string CoreType { get; }

    int Threads { get; set; }

    void Dgemm(bool transA, bool transB, int m, int n, int k, double alpha, ReadOnlySpan<double> a, int lda,
        ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc);

    void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc);

    /// <summary>All eigenvalues of the symmetric n×n matrix (upper triangle read), ascending.</summary>
    double[] SymmetricEigenvalues(ReadOnlySpan<double> a, int n);

    /// <summary>The smallest eigenvalue of the symmetric n×n matrix.</summary>
    double SmallestEigenvalue(ReadOnlySpan<double> a, int n);

    /// <summary>
    /// The Gram matrix A·Aᵀ (rows × rows) of the row-major rows × cols A, or Aᵀ·A (cols × cols) when
    /// <paramref name="ofColumns"/>, row-major with both triangles filled (BLAS dsyrk: half a GEMM's flops).
    /// </summary>
    double[] Gram(ReadOnlySpan<double> a, int rows, int cols, bool ofColumns);

    /// <summary>
    /// LAPACK's Cholesky factorization (dpotrf) of the symmetric n×n matrix, in place (the upper triangle is read and
    /// overwritten by the factor R, A = RᵀR; the rest is left as it was): whether it ran to completion, every pivot
    /// positive. Failure is how LAPACK reports a matrix that is not positive definite in floating point.
    /// </summary>
    bool Cholesky(Span<double> a, int n);

    /// <summary>The min(rows, cols) singular values of the row-major rows × cols matrix, descending (LAPACK dgesdd, values only).</summary>
    double[] SingularValues(ReadOnlySpan<double> a, int rows, int cols);

    /// <summary>
    /// The minimum-norm least-squares solution X (cols × nrhs, row-major) of min ‖A X − B‖_F for the row-major rows × cols A
    /// and rows × nrhs B (LAPACK dgelsd): singular values at most rcond·σ_max count as zero; <paramref name="rank"/> is the
    /// number that do not.
    /// </summary>
    double[] LeastSquares(ReadOnlySpan<double> a, int rows, int cols, ReadOnlySpan<double> b, int nrhs, double rcond, out int rank);
}
