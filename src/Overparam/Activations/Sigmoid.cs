using System.Numerics.Tensors;

namespace Overparam.Activations;

/// <summary>σ(z) = 1/(1 + e^−z), σ′(z) = σ(z)(1 − σ(z)).</summary>
public sealed class Sigmoid : Activation
{
    public override string Name => "sigmoid";
    public override double Value(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));
    public override double Derivative(double z) { double s = Value(z); return s * (1 - s); }
    public override double GaussianMean => 0.5;

    public override void Evaluate<T>(ReadOnlySpan<T> z, Span<T> sigma, Span<T> sigmaPrime)
    {
        TensorPrimitives.Sigmoid(z, sigma);
        TensorPrimitives.Subtract(T.One, sigma, sigmaPrime);
        TensorPrimitives.Multiply(sigma, sigmaPrime, sigmaPrime);
    }
}
