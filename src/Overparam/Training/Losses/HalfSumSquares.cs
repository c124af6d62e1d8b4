using System.Numerics;

namespace Overparam.Training.Losses;

/// <summary>The paper's loss (eq. 1): L = ½ Σ_i (u_i − y_i)², a sum over samples (not a mean); ∂L/∂u_i = u_i − y_i.</summary>
public sealed class HalfSumSquares : ILoss
{
    public static readonly HalfSumSquares Instance = new();

    public string Name => "half-sum-squares";

    public double Evaluate<T>(ReadOnlySpan<T> outputs, ReadOnlySpan<T> targets, Span<T> gradient) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (targets.Length != outputs.Length) throw new ArgumentException($"{targets.Length} labels for {outputs.Length} outputs");
        double loss = 0;
        for (int i = 0; i < outputs.Length; i++)
        {
            gradient[i] = outputs[i] - targets[i];
            double ri = double.CreateTruncating(gradient[i]);
            loss += 0.5 * ri * ri;
        }
        return loss;
    }
}
