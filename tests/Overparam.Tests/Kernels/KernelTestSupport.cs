using Overparam.Activations;
using Overparam.Numerics;

namespace Overparam.Tests.Kernels;

/// <summary>σ = erf, test-local: its bivariate Gaussian moments have closed forms (Williams 1997).</summary>
internal sealed class ErfActivation : Activation
{
    public override string Name => "erf";
    public override double Value(double z) => MathNet.Numerics.SpecialFunctions.Erf(z);
    public override double Derivative(double z) => 2 / Math.Sqrt(Math.PI) * Math.Exp(-z * z);
    public override void Evaluate<T>(ReadOnlySpan<T> z, Span<T> sigma, Span<T> sigmaPrime) => EvaluateScalar(z, sigma, sigmaPrime);
}

internal static class KernelTestSupport
{
    /// <summary>n random unit vectors in R^d (rows), fixed seed.</summary>
    public static Matrix<double> UnitInputs(int n, int d, ulong seed)
    {
        var rng = new GaussianRng(seed);
        var x = new Matrix<double>(n, d);
        for (int i = 0; i < n; i++)
        {
            var row = x.Row(i);
            rng.FillGaussian(row);
            double norm = Math.Sqrt(row.ToArray().Sum(v => v * v));
            for (int k = 0; k < d; k++) row[k] /= norm;
        }
        return x;
    }

    public static double MaxAbsDiff(Matrix<double> a, Matrix<double> b)
    {
        double m = 0;
        for (int e = 0; e < a.Data.Length; e++) m = Math.Max(m, Math.Abs(a.Data[e] - b.Data[e]));
        return m;
    }

    public static double MaxAbs(Matrix<double> a) => a.Data.Max(Math.Abs);

    /// <summary>
    /// Mean over seeds and the pooled Monte Carlo standard error of that mean: RMS over entries of sd_ij/√S, with
    /// sd_ij the across-seed sample standard deviation. Pooling over the n² entries keeps it stable with few seeds.
    /// </summary>
    public static (Matrix<double> Mean, double PooledSe) MeanAndSe(IReadOnlyList<Matrix<double>> samples)
    {
        int s = samples.Count, len = samples[0].Data.Length;
        var mean = new Matrix<double>(samples[0].Rows, samples[0].Cols);
        foreach (var g in samples) for (int e = 0; e < len; e++) mean.Data[e] += g.Data[e] / s;
        double var = 0;
        for (int e = 0; e < len; e++)
        {
            double v = 0;
            foreach (var g in samples) v += (g.Data[e] - mean.Data[e]) * (g.Data[e] - mean.Data[e]);
            var += v / (s - 1) / s;
        }
        return (mean, Math.Sqrt(var / len));
    }

    /// <summary>
    /// Acceptance bound for a seed-averaged finite-width Gram against its limit: 5 × max(pooled SE, floor), with the
    /// floor scale·√(2/(m·S)): even given all lower layers, each entry is an average over m neurons of a term carrying
    /// a_r² (variance 2), so its relative standard error is at least √(2/m) per seed. The pooled SE estimated from only
    /// S = 4 seeds can be several times too small by chance, hence the floor.
    /// </summary>
    public static double Tolerance(double pooledSe, double scale, int m, int seeds)
        => 5 * Math.Max(pooledSe, scale * Math.Sqrt(2.0 / (m * (double)seeds)));

    /// <summary>Row-major m×k matrix of N(0, 1) draws.</summary>
    public static double[] Gaussians(GaussianRng rng, int count)
    {
        var w = new double[count];
        rng.FillGaussian(w);
        return w;
    }

    /// <summary>y = W x for W row-major rows×cols (plain loops).</summary>
    public static double[] MatVec(double[] w, int rows, int cols, double[] x)
    {
        var y = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            double s = 0; int o = r * cols;
            for (int c = 0; c < cols; c++) s += w[o + c] * x[c];
            y[r] = s;
        }
        return y;
    }

    /// <summary>y = Wᵀ d for W row-major rows×cols (plain loops).</summary>
    public static double[] MatTVec(double[] w, int rows, int cols, double[] d)
    {
        var y = new double[cols];
        for (int r = 0; r < rows; r++)
        {
            double dr = d[r]; int o = r * cols;
            for (int c = 0; c < cols; c++) y[c] += w[o + c] * dr;
        }
        return y;
    }

    /// <summary>y_i = W x_i for every x_i, reading each row of W once (plain loops).</summary>
    public static double[][] MatVecBatch(double[] w, int rows, int cols, double[][] xs)
    {
        int n = xs.Length;
        var y = new double[n][];
        for (int i = 0; i < n; i++) y[i] = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            var row = w.AsSpan(r * cols, cols);
            for (int i = 0; i < n; i++)
            {
                var x = xs[i]; double s = 0;
                for (int c = 0; c < cols; c++) s += row[c] * x[c];
                y[i][r] = s;
            }
        }
        return y;
    }

    /// <summary>y_i = Wᵀ d_i for every d_i (plain loops).</summary>
    public static double[][] MatTVecBatch(double[] w, int rows, int cols, double[][] ds)
    {
        int n = ds.Length;
        var y = new double[n][];
        for (int i = 0; i < n; i++) y[i] = new double[cols];
        for (int r = 0; r < rows; r++)
        {
            var row = w.AsSpan(r * cols, cols);
            for (int i = 0; i < n; i++)
            {
                var yi = y[i]; double d = ds[i][r];
                for (int c = 0; c < cols; c++) yi[c] += row[c] * d;
            }
        }
        return y;
    }

    public static double Dot(double[] a, double[] b) { double s = 0; for (int k = 0; k < a.Length; k++) s += a[k] * b[k]; return s; }
}
