using System.Numerics;

namespace Overparam.Training.Losses;

/// <summary>
/// Mean squared error over samples and outputs, L = (1/(n C)) Σ_i Σ_c (u_ic − t_ic)² with t the one-hot target (or y_i for
/// one output): PyTorch's <c>F.mse_loss(u, onehot)</c>, as Grad R uses it on spike rates. ∂L/∂u_ic = 2(u_ic − t_ic)/(n C).
/// </summary>
public sealed class MeanSquaredError : ILoss
{
    public static readonly MeanSquaredError Instance = new();

    public string Name => "mse";
    public string Formula => "L = 1/(n C) sum_i sum_c (f_c(x_i) - onehot(y_i)_c)^2 (a mean over samples and outputs)";
    public bool IsMean => true;

    public double Evaluate<T>(ReadOnlySpan<T> outputs, ReadOnlySpan<T> targets, int classes, Span<T> gradient) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Loss.CheckLengths(outputs.Length, targets.Length, classes);
        double sum = 0, scale = 2.0 / outputs.Length;
        for (int i = 0; i < targets.Length; i++)
            for (int c = 0; c < classes; c++)
            {
                int k = i * classes + c;
                double e = double.CreateTruncating(outputs[k]) - Loss.Target(targets, i, c, classes);
                sum += e * e;
                gradient[k] = T.CreateTruncating(scale * e);
            }
        return sum / outputs.Length;
    }
}
