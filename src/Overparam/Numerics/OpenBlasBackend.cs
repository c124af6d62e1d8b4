using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Overparam.Numerics;

/// <summary>
/// OpenBLAS (Debian's libopenblas0-pthread) loaded at run time: cblas_dgemm / cblas_sgemm for products, cblas_dsyrk for Gram matrices and
/// LAPACK's dsyevr for symmetric eigenvalues, dgesdd for singular values, dgelsd for least squares and dpotrf for Cholesky.
/// Debian's OpenBLAS 0.3.21 does not recognize newer CPUs and falls back to a slow generic kernel, so unless the user
/// set OPENBLAS_CORETYPE we choose it from the CPU's features and put it in the native environment (libc setenv,
/// which native getenv sees) before the library loads.
/// </summary>
public sealed unsafe class OpenBlasBackend : ILinearAlgebraBackend
{
    private const int RowMajor = 101, NoTrans = 111, Trans = 112, Upper = 121;
    private static readonly string[] Candidates =
    [
        "libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "libopenblas.so",
    ];

    private readonly delegate* unmanaged<int, int, int, int, int, int, double, double*, int, double*, int, double, double*, int, void> dgemm;
    private readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> sgemm;
    private readonly delegate* unmanaged<int, int, int, int, int, double, double*, int, double, double*, int, void> dsyrk;
    private readonly delegate* unmanaged<byte*, byte*, byte*, int*, double*, int*, double*, double*, int*, int*, double*,
        int*, double*, double*, int*, int*, double*, int*, int*, int*, int*, nuint, nuint, nuint, void> dsyevr;
    private readonly delegate* unmanaged<byte*, int*, int*, double*, int*, double*, double*, int*, double*, int*, double*, int*,
        int*, int*, nuint, void> dgesdd;
    private readonly delegate* unmanaged<int*, int*, int*, double*, int*, double*, int*, double*, double*, int*, double*, int*,
        int*, int*, void> dgelsd;
    private readonly delegate* unmanaged<byte*, int*, double*, int*, int*, nuint, void> dpotrf;
    private readonly delegate* unmanaged<int, void> setThreads;
    private readonly delegate* unmanaged<int> getThreads;

    public string Name => "openblas";
    public string CoreType { get; }

    private OpenBlasBackend(IntPtr lib)
    {
        dgemm = (delegate* unmanaged<int, int, int, int, int, int, double, double*, int, double*, int, double, double*, int, void>)NativeLibrary.GetExport(lib, "cblas_dgemm");
        sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)NativeLibrary.GetExport(lib, "cblas_sgemm");
        dsyrk = (delegate* unmanaged<int, int, int, int, int, double, double*, int, double, double*, int, void>)NativeLibrary.GetExport(lib, "cblas_dsyrk");
        dsyevr = (delegate* unmanaged<byte*, byte*, byte*, int*, double*, int*, double*, double*, int*, int*, double*,
            int*, double*, double*, int*, int*, double*, int*, int*, int*, int*, nuint, nuint, nuint, void>)NativeLibrary.GetExport(lib, "dsyevr_");
        dgesdd = (delegate* unmanaged<byte*, int*, int*, double*, int*, double*, double*, int*, double*, int*, double*, int*,
            int*, int*, nuint, void>)NativeLibrary.GetExport(lib, "dgesdd_");
        dgelsd = (delegate* unmanaged<int*, int*, int*, double*, int*, double*, int*, double*, double*, int*, double*, int*,
            int*, int*, void>)NativeLibrary.GetExport(lib, "dgelsd_");
        dpotrf = (delegate* unmanaged<byte*, int*, double*, int*, int*, nuint, void>)NativeLibrary.GetExport(lib, "dpotrf_");
        setThreads = (delegate* unmanaged<int, void>)NativeLibrary.GetExport(lib, "openblas_set_num_threads");
        getThreads = (delegate* unmanaged<int>)NativeLibrary.GetExport(lib, "openblas_get_num_threads");
        var coreName = (delegate* unmanaged<byte*>)NativeLibrary.GetExport(lib, "openblas_get_corename");
        CoreType = Marshal.PtrToStringUTF8((IntPtr)coreName()) ?? "unknown";
    }

    /// <summary>Loads OpenBLAS, or returns null (with the reason) when it is not installed.</summary>
    public static OpenBlasBackend? TryLoad(out string reason)
    {
        SetCoreTypeFromCpu();
        foreach (var name in Candidates)
        {
            if (NativeLibrary.TryLoad(name, out var lib))
            {
                reason = "";
                return new OpenBlasBackend(lib);
            }
        }
        reason = "libopenblas.so.0 not found";
        return null;
    }

    /// <summary>The core type we would choose for this CPU: AVX-512 → SkylakeX, AVX2 → Haswell, else none.</summary>
    public static string? CoreTypeForCpu() =>
        Avx512F.IsSupported ? "SkylakeX" : Avx2.IsSupported ? "Haswell" : null;

    private static void SetCoreTypeFromCpu()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE"))) return;
        var core = CoreTypeForCpu();
        if (core is null || !OperatingSystem.IsLinux()) return;
        setenv("OPENBLAS_CORETYPE", core, 1);
        Environment.SetEnvironmentVariable("OPENBLAS_CORETYPE", core);
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int setenv(string name, string value, int overwrite);

    public int Threads
    {
        get => getThreads();
        set => setThreads(Math.Max(1, value));
    }

    public void Dgemm(bool transA, bool transB, int m, int n, int k, double alpha, ReadOnlySpan<double> a, int lda,
        ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc)
    {
        if (m == 0 || n == 0) return;
        fixed (double* pa = a, pb = b, pc = c)
            dgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
    }

    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        if (m == 0 || n == 0) return;
        fixed (float* pa = a, pb = b, pc = c)
            sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
    }

    // cblas_dsyrk fills the upper triangle of C = op(A)·op(A)ᵀ; the lower one is mirrored from it.
    public double[] Gram(ReadOnlySpan<double> a, int rows, int cols, bool ofColumns)
    {
        int n = ofColumns ? cols : rows, k = ofColumns ? rows : cols;
        var c = new double[n * n];
        if (n == 0 || k == 0) return c;
        fixed (double* pa = a, pc = c)
            dsyrk(RowMajor, Upper, ofColumns ? Trans : NoTrans, n, k, 1.0, pa, cols, 0.0, pc, n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++) c[i * n + j] = c[j * n + i];
        return c;
    }

    public double[] SymmetricEigenvalues(ReadOnlySpan<double> a, int n) => Syevr(a, n, all: true);

    public double SmallestEigenvalue(ReadOnlySpan<double> a, int n) => Syevr(a, n, all: false)[0];

    // LAPACK dsyevr (Fortran, column-major; a symmetric matrix is its own transpose), values only.
    private double[] Syevr(ReadOnlySpan<double> source, int n, bool all)
    {
        if (n == 0) return [];
        var a = source.Slice(0, n * n).ToArray();
        var w = new double[n];
        byte jobz = (byte)'N', range = all ? (byte)'A' : (byte)'I', uplo = (byte)'U';
        int lda = n, il = 1, iu = 1, found = 0, ldz = 1, info = 0;
        double vl = 0, vu = 0, abstol = 0, z = 0;
        var isuppz = new int[2 * n];
        int lwork = -1, liwork = -1, iworkQuery = 0;
        double workQuery = 0;
        fixed (double* pa = a, pw = w)
        fixed (int* pis = isuppz)
        {
            dsyevr(&jobz, &range, &uplo, &n, pa, &lda, &vl, &vu, &il, &iu, &abstol, &found, pw, &z, &ldz, pis,
                &workQuery, &lwork, &iworkQuery, &liwork, &info, 1, 1, 1);
            lwork = (int)workQuery; liwork = iworkQuery;
            var work = new double[lwork];
            var iwork = new int[liwork];
            fixed (double* pwork = work)
            fixed (int* piwork = iwork)
                dsyevr(&jobz, &range, &uplo, &n, pa, &lda, &vl, &vu, &il, &iu, &abstol, &found, pw, &z, &ldz, pis,
                    pwork, &lwork, piwork, &liwork, &info, 1, 1, 1);
        }
        if (info != 0) throw new ArithmeticException($"LAPACK dsyevr failed (info = {info})");
        return all ? w : [w[0]];
    }

    // LAPACK dpotrf (Fortran, column-major): the row-major upper triangle is the column-major lower one, so uplo = 'L'.
    public bool Cholesky(Span<double> a, int n)
    {
        if (n == 0) return true;
        if (a.Length < n * n) throw new ArgumentException($"a {n}×{n} matrix needs {n * n} values, got {a.Length}");
        byte uplo = (byte)'L';
        int lda = n, info = 0;
        fixed (double* pa = a)
            dpotrf(&uplo, &n, pa, &lda, &info, 1);
        if (info < 0) throw new ArgumentException($"LAPACK dpotrf: argument {-info} is invalid");
        return info == 0;
    }

    // LAPACK dgesdd, values only. The row-major rows × cols matrix is the column-major cols × rows Aᵀ, which has the same singular values.
    public double[] SingularValues(ReadOnlySpan<double> source, int rows, int cols)
    {
        int k = Math.Min(rows, cols);
        if (k == 0) return [];
        var a = source.Slice(0, rows * cols).ToArray();
        var s = new double[k];
        var iwork = new int[8 * k];
        byte jobz = (byte)'N';
        int m = cols, n = rows, lda = cols, ldu = 1, ldvt = 1, lwork = -1, info = 0;
        double u = 0, vt = 0, workQuery = 0;
        fixed (double* pa = a, ps = s)
        fixed (int* piwork = iwork)
        {
            dgesdd(&jobz, &m, &n, pa, &lda, ps, &u, &ldu, &vt, &ldvt, &workQuery, &lwork, piwork, &info, 1);
            lwork = (int)workQuery;
            var work = new double[lwork];
            fixed (double* pwork = work)
                dgesdd(&jobz, &m, &n, pa, &lda, ps, &u, &ldu, &vt, &ldvt, pwork, &lwork, piwork, &info, 1);
        }
        if (info != 0) throw new ArithmeticException($"LAPACK dgesdd failed (info = {info})");
        return s;
    }

    // LAPACK dgelsd on the column-major copies of A (rows × cols) and B (max(rows, cols) × nrhs, the solution in its first cols rows).
    public double[] LeastSquares(ReadOnlySpan<double> a, int rows, int cols, ReadOnlySpan<double> b, int nrhs, double rcond, out int rank)
    {
        int ldb = Math.Max(1, Math.Max(rows, cols));
        var ac = new double[Math.Max(1, rows * cols)];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) ac[j * rows + i] = a[i * cols + j];
        var bc = new double[ldb * nrhs];
        for (int i = 0; i < rows; i++)
            for (int c = 0; c < nrhs; c++) bc[c * ldb + i] = b[i * nrhs + c];
        var s = new double[Math.Max(1, Math.Min(rows, cols))];
        int m = rows, n = cols, lda = Math.Max(1, rows), found = 0, lwork = -1, info = 0, iworkQuery = 0;
        double workQuery = 0;
        fixed (double* pa = ac, pb = bc, ps = s)
        {
            dgelsd(&m, &n, &nrhs, pa, &lda, pb, &ldb, ps, &rcond, &found, &workQuery, &lwork, &iworkQuery, &info);
            lwork = (int)workQuery;
            var work = new double[lwork];
            var iwork = new int[Math.Max(1, iworkQuery)];
            fixed (double* pwork = work)
            fixed (int* piwork = iwork)
                dgelsd(&m, &n, &nrhs, pa, &lda, pb, &ldb, ps, &rcond, &found, pwork, &lwork, piwork, &info);
        }
        if (info != 0) throw new ArithmeticException($"LAPACK dgelsd failed (info = {info})");
        rank = found;
        var x = new double[cols * nrhs];
        for (int j = 0; j < cols; j++)
            for (int c = 0; c < nrhs; c++) x[j * nrhs + c] = bc[c * ldb + j];
        return x;
    }
}
