using System.Numerics.Tensors;

namespace Overparam.Activations;

/// <summary>SiLU / swish: σ(z) = z·s(z) with s the logistic sigmoid, σ′(z) = s(z)(1 + z(1 − s(z))).</summary>
public sealed class Silu : Activation
{
    public override string Name => "silu";
    public override double Value(double z) => z * Logistic(z);
    public override double Derivative(double z) { double s = Logistic(z); return s * (1 + z * (1 - s)); }

    private static double Logistic(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    public override void Evaluate<T>(ReadOnlySpan<T> z, Span<T> sigma, Span<T> sigmaPrime)
    {
        TensorPrimitives.Sigmoid(z, sigmaPrime);                 // s
        TensorPrimitives.Multiply(z, sigmaPrime, sigma);         // σ = z·s
        for (int i = 0; i < z.Length; i++)
        {
            T s = sigmaPrime[i];
            sigmaPrime[i] = s + sigma[i] * (T.One - s);          // s + z·s·(1 − s)
        }
    }
}
