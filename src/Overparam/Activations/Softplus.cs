using System.Numerics;
using System.Numerics.Tensors;

namespace Overparam.Activations;

/// <summary>σ(z) = log(1 + e^z), σ′(z) = 1/(1 + e^−z): the paper's guiding example (docs/mathematics.md §3).</summary>
public sealed class Softplus : Activation
{
    public override string Name => "softplus";

    // max(z, 0) + log1p(e^−|z|) never overflows.
    public override double Value(double z) => Math.Max(z, 0) + Math.Log(1 + Math.Exp(-Math.Abs(z)));
    public override double Derivative(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    public override void Evaluate<T>(ReadOnlySpan<T> z, Span<T> sigma, Span<T> sigmaPrime)
    {
        // Vectorized passes over the chunk: t = e^−|z| (in sigmaPrime), σ = log(1 + t) + max(z, 0), σ′ = 1/(1 + e^−z).
        TensorPrimitives.Abs(z, sigmaPrime);
        TensorPrimitives.Negate<T>(sigmaPrime, sigmaPrime);
        TensorPrimitives.Exp<T>(sigmaPrime, sigmaPrime);
        TensorPrimitives.Add<T>(sigmaPrime, T.One, sigma);
        TensorPrimitives.Log<T>(sigma, sigma);
        TensorPrimitives.Max(z, T.Zero, sigmaPrime);
        TensorPrimitives.Add<T>(sigma, sigmaPrime, sigma);
        TensorPrimitives.Sigmoid(z, sigmaPrime);
    }
}
