namespace Overparam.Numerics;

/// <summary>
/// The dense kernels the library needs, on row-major storage: C = alpha·op(A)·op(B) + beta·C
/// (op(A) is m×k, op(B) is k×n, lda/ldb/ldc are row strides), y = alpha·x + y, and the eigenvalues of a symmetric matrix.
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

    /// <summary>y ← alpha·x + y with one rounding per element (a fused multiply-add), on the calling thread unless the backend threads it.</summary>
    void Daxpy(double alpha, ReadOnlySpan<double> x, Span<double> y) => System.Numerics.Tensors.TensorPrimitives.FusedMultiplyAdd(x, alpha, y, y);

    /// <inheritdoc cref="Daxpy"/>
    void Saxpy(float alpha, ReadOnlySpan<float> x, Span<float> y) => System.Numerics.Tensors.TensorPrimitives.FusedMultiplyAdd(x, alpha, y, y);

    /// <summary>All eigenvalues of the symmetric n×n matrix (upper triangle read), ascending.</summary>
    double[] SymmetricEigenvalues(ReadOnlySpan<double> a, int n);

    /// <summary>The smallest eigenvalue of the symmetric n×n matrix.</summary>
    double SmallestEigenvalue(ReadOnlySpan<double> a, int n);
}
