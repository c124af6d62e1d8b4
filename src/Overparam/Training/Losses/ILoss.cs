using System.Numerics;

namespace Overparam.Training.Losses;

/// <summary>
/// A training loss L(u, y) over a batch of n samples: outputs u (n × C, row-major) and one target per sample — the value
/// y_i for one output, the class id 0 … C−1 for C outputs — and its gradient ∂L/∂u.
/// </summary>
public interface ILoss
{
    /// <summary>The name in config.json and on the command line.</summary>
    string Name { get; }

    /// <summary>The formula in plain text, as config.json records it.</summary>
    string Formula { get; }

    /// <summary>True when L is a mean over the batch (so a whole set's loss is the size-weighted mean of its chunks'), false for a sum.</summary>
    bool IsMean { get; }

    /// <summary>L(u, y) in float64, writing ∂L/∂u into <paramref name="gradient"/> (same layout as <paramref name="outputs"/>).</summary>
    double Evaluate<T>(ReadOnlySpan<T> outputs, ReadOnlySpan<T> targets, int classes, Span<T> gradient) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>The losses by name.</summary>
public static class Loss
{
    public static readonly ILoss[] All = [HalfSumSquares.Instance, MeanSquaredError.Instance, CrossEntropy.Instance];

    public static IReadOnlyList<string> Names => All.Select(l => l.Name).ToArray();

    public static ILoss? TryParse(string name) => All.FirstOrDefault(l => l.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The target of output c for sample i: y_i itself for one output, else the one-hot indicator [y_i = c].</summary>
    internal static double Target<T>(ReadOnlySpan<T> targets, int i, int c, int classes) where T : unmanaged, IFloatingPointIeee754<T> =>
        classes == 1 ? double.CreateTruncating(targets[i]) : double.CreateTruncating(targets[i]) == c ? 1 : 0;

    internal static void CheckLengths(int outputs, int targets, int classes)
    {
        if (outputs != targets * classes) throw new ArgumentException($"{targets} targets for {outputs} outputs with C = {classes}");
    }
}
