using Overparam.Numerics;

namespace Overparam.Bench;

/// <summary>
/// Wraps the real backend and counts every GEMM the library issues: calls, flops (2·m·n·k) and wall-clock seconds.
/// Lets the bench report the flops the code actually performs and split a phase's time into GEMM and the rest
/// (element-wise work, copies, allocation) without touching the library. Overhead: two timestamps per call.
/// </summary>
public sealed class CountingBackend(ILinearAlgebraBackend inner) : ILinearAlgebraBackend
{
    public ILinearAlgebraBackend Inner { get; } = inner;
    public long Calls { get; private set; }
    public double Flops { get; private set; }
    public double Seconds { get; private set; }

    /// <summary>Seconds inside GEMV-shaped calls (an output with one row or one column, e.g. a bias gradient Δᵀ1).</summary>
    public double NarrowSeconds { get; private set; }
    public double NarrowFlops { get; private set; }

    public void Reset() { Calls = 0; Flops = 0; Seconds = 0; NarrowSeconds = 0; NarrowFlops = 0; }

    public (long Calls, double Flops, double Seconds) Snapshot() => (Calls, Flops, Seconds);

    public string Name => Inner.Name;
    public string CoreType => Inner.CoreType;
    public int Threads { get => Inner.Threads; set => Inner.Threads = value; }

    public void Dgemm(bool transA, bool transB, int m, int n, int k, double alpha, ReadOnlySpan<double> a, int lda,
        ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc)
    {
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        Inner.Dgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        Record(t0, m, n, k);
    }

    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        Inner.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        Record(t0, m, n, k);
    }

    private void Record(long t0, int m, int n, int k)
    {
        double dt = System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds;
        Seconds += dt;
        if (m == 1 || n == 1) { NarrowSeconds += dt; NarrowFlops += 2.0 * m * n * k; }
        Flops += 2.0 * m * n * k;
        Calls++;
    }

    public double[] Gram(ReadOnlySpan<double> a, int rows, int cols, bool ofColumns) => Inner.Gram(a, rows, cols, ofColumns);
    public double[] SymmetricEigenvalues(ReadOnlySpan<double> a, int n) => Inner.SymmetricEigenvalues(a, n);
    public double SmallestEigenvalue(ReadOnlySpan<double> a, int n) => Inner.SmallestEigenvalue(a, n);
    public double[] SingularValues(ReadOnlySpan<double> a, int rows, int cols) => Inner.SingularValues(a, rows, cols);
    public bool Cholesky(Span<double> a, int n) => Inner.Cholesky(a, n);
    public double[] LeastSquares(ReadOnlySpan<double> a, int rows, int cols, ReadOnlySpan<double> b, int nrhs, double rcond, out int rank)
        => Inner.LeastSquares(a, rows, cols, b, nrhs, rcond, out rank);
}
