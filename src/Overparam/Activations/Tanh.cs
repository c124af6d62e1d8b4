using System.Numerics.Tensors;

namespace Overparam.Activations;

/// <summary>σ(z) = tanh z, σ′(z) = 1 − tanh² z. E[σ(z)] = 0, so the ResNet b-terms vanish (docs/mathematics.md §3).</summary>
public sealed class Tanh : Activation
{
    public override string Name => "tanh";
    public override double Value(double z) => Math.Tanh(z);
    public override double Derivative(double z) { double t = Math.Tanh(z); return 1 - t * t; }
    public override double GaussianMean => 0;

    public override void Evaluate<T>(ReadOnlySpan<T> z, Span<T> sigma, Span<T> sigmaPrime)
    {
        TensorPrimitives.Tanh(z, sigma);
        TensorPrimitives.Multiply(sigma, sigma, sigmaPrime);
        TensorPrimitives.Subtract(T.One, sigmaPrime, sigmaPrime);
    }
}
