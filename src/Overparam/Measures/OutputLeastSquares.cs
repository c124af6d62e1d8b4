using Overparam.Numerics;

namespace Overparam.Measures;

/// <summary>The global minimum of the output-layer problem: weights A (m × C), the bias b_out (or null), ‖ΦA (+ 1b_outᵀ) − Y‖²_F and rank Φ.</summary>
public sealed record LeastSquaresMinimum(Matrix<double> Weights, double[]? Bias, double ResidualSumOfSquares, int Rank);

/// <summary>
/// With the hidden layers frozen, the squared loss is a convex quadratic in the output layer: min_A ‖ΦA − Y‖²_F, whose
/// minimum is 0 iff rank Φ = n (docs/mathematics.md §13). Solved directly by LAPACK's dgelsd (an
/// SVD; singular values at most max(n, m)·ε·σ_max count as zero, the rank tolerance of <see cref="Expressivity"/>); the
/// residual is recomputed from the solution.
/// </summary>
public static class OutputLeastSquares
{
    /// <summary>The minimum for features Φ (n × m) and targets Y (n × C), with a bias column when <paramref name="bias"/>.</summary>
    public static LeastSquaresMinimum Solve(Matrix<double> phi, Matrix<double> y, bool bias = false)
    {
        var a = bias ? WithOnes(phi) : phi;
        double rcond = Math.Max(a.Rows, a.Cols) * Expressivity.Epsilon;
        var (x, rank) = LinearAlgebra.LeastSquares(a, y, rcond);
        var fit = LinearAlgebra.Multiply(a, false, x, false);
        double rss = 0;
        for (int i = 0; i < fit.Length; i++) { double r = fit.Data[i] - y.Data[i]; rss += r * r; }
        if (!bias) return new LeastSquaresMinimum(x, null, rss, rank);
        int m = phi.Cols, c = y.Cols;
        var weights = new Matrix<double>(m, c, x.Data[..(m * c)]);
        return new LeastSquaresMinimum(weights, x.Data[(m * c)..], rss, rank);
    }

    /// <summary>Targets Y (n × C) of labels: one-hot rows for class ids (C ≥ 2), the values themselves for one output.</summary>
    public static Matrix<double> Targets(IReadOnlyList<double> labels, int outputs)
    {
        var y = new Matrix<double>(labels.Count, outputs);
        for (int i = 0; i < labels.Count; i++)
            if (outputs == 1) y[i, 0] = labels[i];
            else y[i, (int)labels[i]] = 1;
        return y;
    }

    private static Matrix<double> WithOnes(Matrix<double> phi)
    {
        var a = new Matrix<double>(phi.Rows, phi.Cols + 1);
        for (int i = 0; i < phi.Rows; i++) { phi.Row(i).CopyTo(a.Row(i)); a[i, phi.Cols] = 1; }
        return a;
    }
}
