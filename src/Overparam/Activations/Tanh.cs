using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Overparam.Numerics;

namespace Overparam.Activations;

/// <summary>σ(z) = tanh z, σ′(z) = 1 − tanh² z. E[σ(z)] = 0, so the ResNet b-terms vanish (docs/mathematics.md §3).</summary>
public sealed class Tanh : Activation
{
    public override string Name => "tanh";
    public override double Value(double z) => Math.Tanh(z);
    public override double Derivative(double z) { double t = Math.Tanh(z); return 1 - t * t; }
    public override double GaussianMean => 0;

    /// <summary>float64 through <see cref="VectorTanh"/> (within 2 ulps of Math.Tanh; TensorPrimitives' double tanh loses up to
    /// 2.4·10⁵ ulps for |z| &lt; 0.1), float32 through TensorPrimitives.</summary>
    public override void Evaluate<T>(ReadOnlySpan<T> z, Span<T> sigma, Span<T> sigmaPrime)
    {
        if (typeof(T) == typeof(double))
        {
            VectorTanh.Evaluate(MemoryMarshal.Cast<T, double>(z), MemoryMarshal.Cast<T, double>(sigma), MemoryMarshal.Cast<T, double>(sigmaPrime));
            return;
        }
        TensorPrimitives.Tanh(z, sigma);
        TensorPrimitives.Multiply(sigma, sigma, sigmaPrime);
        TensorPrimitives.Subtract(T.One, sigmaPrime, sigmaPrime);
    }
}
