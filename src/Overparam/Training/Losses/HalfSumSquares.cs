using System.Numerics;

namespace Overparam.Training.Losses;

/// <summary>
/// The paper's loss (eq. 1): L = ½ Σ_i (u_i − y_i)², a sum over samples (not a mean); ∂L/∂u_i = u_i − y_i. For C outputs
/// the targets are one-hot: L = ½ Σ_i Σ_c (u_ic − [y_i = c])².
/// </summary>
public sealed class HalfSumSquares : ILoss
{
    public static readonly HalfSumSquares Instance = new();

    public string Name => "half-sum-squares";
    public string Formula => "L = 1/2 sum_i (f(x_i) - y_i)^2 (a sum over samples, eq. 1; docs/mathematics.md#s1)";
    public bool IsMean => false;

    public double Evaluate<T>(ReadOnlySpan<T> outputs, ReadOnlySpan<T> targets, int classes, Span<T> gradient) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Loss.CheckLengths(outputs.Length, targets.Length, classes);
        double loss = 0;
        if (classes == 1)
            for (int i = 0; i < outputs.Length; i++)
            {
                gradient[i] = outputs[i] - targets[i];
                double ri = double.CreateTruncating(gradient[i]);
                loss += 0.5 * ri * ri;
            }
        else
            for (int i = 0; i < targets.Length; i++)
                for (int c = 0; c < classes; c++)
                {
                    int k = i * classes + c;
                    gradient[k] = outputs[k] - T.CreateTruncating(Loss.Target(targets, i, c, classes));
                    double rk = double.CreateTruncating(gradient[k]);
                    loss += 0.5 * rk * rk;
                }
        return loss;
    }
}
