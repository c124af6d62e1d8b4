using System.Numerics;

namespace Overparam.Training.Losses;

/// <summary>A training loss L(u, y) over a batch of outputs u (n × C) and targets y, and its gradient ∂L/∂u.</summary>
public interface ILoss
{
    /// <summary>The name in config.json and on the command line.</summary>
    string Name { get; }

    /// <summary>L(u, y) in float64, writing ∂L/∂u into <paramref name="gradient"/> (same layout as <paramref name="outputs"/>).</summary>
    double Evaluate<T>(ReadOnlySpan<T> outputs, ReadOnlySpan<T> targets, Span<T> gradient) where T : unmanaged, IFloatingPointIeee754<T>;
}
