using System.Globalization;
using Overparam.Numerics;

namespace Overparam.Data;

/// <summary>
/// Training data {(x_i, y_i)}, i = 1..n, as the paper uses it (docs/mathematics.md §1): inputs are the rows of
/// <see cref="X"/> [n, features], scalar labels are <see cref="Y"/> [n].
/// <see cref="InputShape"/> tells how a row is read: [d] for the fully-connected network and ResNet
/// (x_i ∈ R^d), [d0, p] for the convolutional ResNet (x_i ∈ R^{d0×p}), laid out channel-major so that
/// channel c at position l is feature c·p + l.
/// The theorems assume ‖x_i‖₂ = 1 (Frobenius norm for conv inputs, the same number for the flat row);
/// loaders return the data as read, and <see cref="Normalized"/> rescales.
/// </summary>
public sealed class Dataset
{
    /// <summary>Inputs, one sample per row.</summary>
    public Matrix<double> X { get; }

    /// <summary>Labels, one per row of <see cref="X"/>.</summary>
    public double[] Y { get; }

    /// <summary>Shape of one input; the product of its entries is the number of features.</summary>
    public int[] InputShape { get; }

    /// <summary>Where the data came from, for logs and reports (e.g. "csv:data.csv").</summary>
    public string Source { get; }

    /// <summary>Number of samples n.</summary>
    public int Count => X.Rows;

    /// <summary>Number of features per sample (d, or d0·p).</summary>
    public int Features => X.Cols;

    /// <summary>Rows whose |cos| exceeds this are reported as parallel by <see cref="Check"/>.</summary>
    public const double ParallelCosTolerance = 1e-12;

    /// <summary>Non-parallel rows closer than this angle (radians) are reported as nearly parallel by <see cref="Check"/>.</summary>
    public const double NearlyParallelAngle = 1e-3;

    /// <summary>Above this many multiply-adds the Gram matrix X Xᵀ is computed by GEMM instead of plain loops.</summary>
    private const long GemmThreshold = 1 << 16;

    public Dataset(Matrix<double> x, double[] y, int[] inputShape, string source)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(inputShape);
        if (y.Length != x.Rows)
            throw new ArgumentException($"{y.Length} labels for {x.Rows} inputs", nameof(y));
        if (inputShape.Length == 0 || inputShape.Any(s => s <= 0))
            throw new ArgumentException($"input shape [{string.Join(", ", inputShape)}] must have positive dimensions", nameof(inputShape));
        long features = inputShape.Aggregate(1L, (a, b) => a * b);
        if (features != x.Cols)
            throw new ArgumentException($"input shape [{string.Join(", ", inputShape)}] has {features} features, the rows have {x.Cols}", nameof(inputShape));
        X = x; Y = y; InputShape = (int[])inputShape.Clone(); Source = source ?? "";
    }

    /// <summary>The same data with new labels (e.g. from a teacher network).</summary>
    public Dataset WithLabels(double[] y) => new(X, y, InputShape, Source);

    /// <summary>A copy of the samples at the 0-based <paramref name="rows"/>, in that order.</summary>
    public Dataset Subset(IReadOnlyList<int> rows, string source)
    {
        var x = new Matrix<double>(rows.Count, Features);
        var y = new double[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            X.Row(rows[i]).CopyTo(x.Row(i));
            y[i] = Y[rows[i]];
        }
        return new Dataset(x, y, InputShape, source);
    }

    /// <summary>
    /// A copy with every input divided by its Euclidean norm, so ‖x_i‖₂ = 1 (for conv inputs ‖x_i‖_F = 1),
    /// the theorems' assumption. Labels are unchanged. Throws <see cref="InvalidOperationException"/>
    /// naming the (1-based) sample when an input is all zeros.
    /// </summary>
    public Dataset Normalized()
    {
        var x = X.Clone();
        for (int i = 0; i < x.Rows; i++)
        {
            var row = x.Row(i);
            double norm = System.Numerics.Tensors.TensorPrimitives.Norm((ReadOnlySpan<double>)row);
            if (norm == 0 || !double.IsFinite(norm))
                throw new InvalidOperationException($"input {i + 1} has norm {norm.ToString(CultureInfo.InvariantCulture)}; it cannot be normalized");
            for (int j = 0; j < row.Length; j++) row[j] /= norm;
        }
        return new Dataset(x, (double[])Y.Clone(), InputShape, Source);
    }

    /// <summary>
    /// The smallest angle in radians, in [0, π/2], between two distinct inputs, using |cos| so that
    /// x and −x count as parallel (both make λ₀ = 0 for the paper's Gram matrices).
    /// Inputs that are all zeros are left out. NaN when fewer than two non-zero inputs remain.
    /// Precision is that of acos near 1: about 1e-8 rad for nearly parallel inputs.
    /// </summary>
    public double SmallestPairwiseAngle() => ClosestPair().Angle;

    /// <summary>
    /// The pair of distinct non-zero inputs with the largest |cos| (0-based indices, i &lt; j), the cosine and
    /// the angle arccos|cos|. (-1, -1, NaN, NaN) when fewer than two non-zero inputs exist.
    /// </summary>
    public (int I, int J, double Cos, double Angle) ClosestPair() => ClosestPair(Cosines().Cos);

    private static (int I, int J, double Cos, double Angle) ClosestPair(Matrix<double> cos)
    {
        int n = cos.Rows, bi = -1, bj = -1;
        double best = double.NegativeInfinity;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double c = cos[i, j];
                if (double.IsNaN(c)) continue;
                if (Math.Abs(c) > best) { best = Math.Abs(c); bi = i; bj = j; }
            }
        if (bi < 0) return (-1, -1, double.NaN, double.NaN);
        return (bi, bj, cos[bi, bj], Math.Acos(Math.Min(1.0, best)));
    }

    /// <summary>
    /// Warnings about properties the theorems need, in plain words and 1-based sample numbers:
    /// fewer than two samples; non-finite values; inputs that are all zeros; inputs that are not unit norm;
    /// pairs of parallel inputs (|cos| &gt; 1 − 1e-12, so λ₀ = 0: the paper's Assumption that no two inputs
    /// are parallel fails); and, when none are parallel, a pair closer than 1e-3 rad (λ₀ will be tiny).
    /// At most 10 parallel pairs are listed, followed by a count of the rest. Empty when all is well.
    /// </summary>
    public IReadOnlyList<string> Check()
    {
        var warnings = new List<string>();
        int n = Count;
        if (n < 2) warnings.Add($"only {n} sample(s); the theorems need n >= 2");
        if (X.Data.Any(v => !double.IsFinite(v))) warnings.Add("inputs contain NaN or infinite values");
        if (Y.Any(v => !double.IsFinite(v))) warnings.Add("labels contain NaN or infinite values");

        var (cos, norms) = Cosines();
        var zero = Enumerable.Range(0, n).Where(i => norms[i] == 0).ToList();
        if (zero.Count == 1)
            warnings.Add($"input {zero[0] + 1} is all zeros; it cannot be normalized");
        else if (zero.Count > 1)
            warnings.Add($"inputs {string.Join(", ", zero.Take(10).Select(i => i + 1))}{(zero.Count > 10 ? $" and {zero.Count - 10} more" : "")} are all zeros; they cannot be normalized");
        var notUnit = Enumerable.Range(0, n).Where(i => norms[i] != 0 && Math.Abs(norms[i] - 1) > 1e-9).ToList();
        if (notUnit.Count > 0)
            warnings.Add($"{notUnit.Count} of {n} inputs are not unit norm (input {notUnit[0] + 1} has norm {G(norms[notUnit[0]])}); the theorems assume ||x_i|| = 1: normalize the data");

        int parallel = 0;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double c = cos[i, j];
                if (double.IsNaN(c) || Math.Abs(c) <= 1 - ParallelCosTolerance) continue;
                if (++parallel <= 10)
                    warnings.Add($"inputs {i + 1} and {j + 1} are parallel (cos = {G(c)}): λ₀ will be 0 and the theorems do not apply");
            }
        if (parallel > 10) warnings.Add($"... and {parallel - 10} more parallel pairs");

        if (parallel == 0)
        {
            var (bi, bj, c, angle) = ClosestPair(cos);
            if (bi >= 0 && angle < NearlyParallelAngle)
                warnings.Add($"inputs {bi + 1} and {bj + 1} are nearly parallel (angle = {G(angle)} rad, cos = {G(c)}): λ₀ will be very small");
        }
        return warnings;
    }

    private static string G(double v) => v.ToString("g6", CultureInfo.InvariantCulture);

    /// <summary>cos(x_i, x_j) for all pairs (NaN where an input is zero) and the norms ‖x_i‖, from the Gram matrix X Xᵀ.</summary>
    private (Matrix<double> Cos, double[] Norms) Cosines()
    {
        int n = Count, d = Features;
        Matrix<double> gram;
        if ((long)n * n * d >= GemmThreshold) gram = LinearAlgebra.Multiply(X, false, X, true);
        else
        {
            gram = new Matrix<double>(n, n);
            for (int i = 0; i < n; i++)
                for (int j = i; j < n; j++)
                    gram[i, j] = gram[j, i] = System.Numerics.Tensors.TensorPrimitives.Dot((ReadOnlySpan<double>)X.Row(i), X.Row(j));
        }
        var norms = new double[n];
        for (int i = 0; i < n; i++) norms[i] = Math.Sqrt(gram[i, i]);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                gram[i, j] = norms[i] == 0 || norms[j] == 0 ? double.NaN : gram[i, j] / (norms[i] * norms[j]);
        return (gram, norms);
    }
}
