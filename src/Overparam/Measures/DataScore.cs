using System.Numerics;
using Overparam.Architectures;
using Overparam.Numerics;
using Overparam.Training.Losses;

namespace Overparam.Measures;

/// <summary>
/// A model's loss and misclassification rate on a whole data set, in chunks of <see cref="Chunk"/> rows through the
/// model's own buffers. The loss is the training loss on the set (a sum for half-sum-squares, a mean for mse and
/// cross-entropy); a sample is wrong when its predicted label — argmax for C ≥ 2 outputs (the first maximum), the sign
/// (+1 at 0) for one output — is not its label.
/// </summary>
public static class DataScore
{
    /// <summary>Rows per forward pass.</summary>
    public const int Chunk = 1024;

    public static (double Loss, double Error) Evaluate<T>(IModel<T> model, ILoss loss, Matrix<T> x, T[] y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = x.Rows, rows = Math.Min(Chunk, n), classes = model.Outputs;
        var u = new T[rows * classes];
        var g = new T[u.Length];
        var xs = new Matrix<T>(rows, x.Cols);
        double total = 0;
        long wrong = 0;
        for (int start = 0; start < n; start += rows)
        {
            int r = Math.Min(rows, n - start);
            var view = Matrix<T>.View(r, x.Cols, xs.Data);
            x.Data.AsSpan(start * x.Cols, r * x.Cols).CopyTo(view.Span);
            var us = u.AsSpan(0, r * classes);
            model.Forward(view, us);
            double value = loss.Evaluate<T>(us, y.AsSpan(start, r), classes, g.AsSpan(0, us.Length));
            total += loss.IsMean ? value * r / n : value;
            for (int i = 0; i < r; i++) if (Predicted(us.Slice(i * classes, classes)) != double.CreateTruncating(y[start + i])) wrong++;
        }
        return (total, (double)wrong / n);
    }

    /// <summary>The predicted label: argmax for C ≥ 2 (the first maximum), the sign (+1 at 0) for one output.</summary>
    public static double Predicted<T>(ReadOnlySpan<T> u) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (u.Length == 1) return u[0] >= T.Zero ? 1 : -1;
        int best = 0;
        for (int c = 1; c < u.Length; c++) if (u[c] > u[best]) best = c;
        return best;
    }

    /// <summary>True when the labels are class ids (C ≥ 2 outputs) or ±1, so that an error rate exists.</summary>
    public static bool HasError(int outputs, IEnumerable<double> labels) => outputs > 1 || labels.All(v => v is 1 or -1);
}
