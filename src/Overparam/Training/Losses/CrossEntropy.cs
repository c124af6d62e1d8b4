using System.Numerics;

namespace Overparam.Training.Losses;

/// <summary>
/// Softmax cross-entropy, a mean over the batch: L = (1/n) Σ_i [log Σ_c e^{u_ic} − u_{i,y_i}], PyTorch's
/// <c>F.cross_entropy(u, y)</c>; ∂L/∂u_ic = (softmax(u_i)_c − [y_i = c])/n. Needs C ≥ 2 and class ids 0 … C−1.
/// Evaluated in float64 with the maximum subtracted (log-sum-exp), whatever T is.
/// </summary>
public sealed class CrossEntropy : ILoss
{
    public static readonly CrossEntropy Instance = new();

    public string Name => "cross-entropy";
    public string Formula => "L = 1/n sum_i [log sum_c exp f_c(x_i) - f_{y_i}(x_i)] (softmax cross-entropy, a mean over the batch)";
    public bool IsMean => true;

    public double Evaluate<T>(ReadOnlySpan<T> outputs, ReadOnlySpan<T> targets, int classes, Span<T> gradient) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (classes < 2) throw new ArgumentException("cross-entropy needs C ≥ 2 outputs");
        Loss.CheckLengths(outputs.Length, targets.Length, classes);
        int n = targets.Length;
        double total = 0;
        Span<double> p = classes <= 256 ? stackalloc double[classes] : new double[classes];
        for (int i = 0; i < n; i++)
        {
            var u = outputs.Slice(i * classes, classes);
            int y = int.CreateTruncating(targets[i]);
            if (y < 0 || y >= classes) throw new ArgumentException($"class id {y} of sample {i} is outside 0 … {classes - 1}");
            double max = double.NegativeInfinity;
            for (int c = 0; c < classes; c++) max = Math.Max(max, double.CreateTruncating(u[c]));
            double sum = 0;
            for (int c = 0; c < classes; c++) sum += p[c] = Math.Exp(double.CreateTruncating(u[c]) - max);
            total += Math.Log(sum) + max - double.CreateTruncating(u[y]);
            for (int c = 0; c < classes; c++) gradient[i * classes + c] = T.CreateTruncating((p[c] / sum - (c == y ? 1 : 0)) / n);
        }
        return total / n;
    }
}
