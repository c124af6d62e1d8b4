using System.Numerics;
using System.Numerics.Tensors;

namespace Overparam.Activations;

/// <summary>σ(z) = log(1 + e^z), σ′(z) = 1/(1 + e^−z): the paper's guiding example (spec §3).</summary>
public sealed class Softplus : Activation
{
    public override string Name => "softplus";

    // max(z, 0) + log1p(e^−|z|) never overflows.
    public override double Value(double z) => Math.Max(z, 0) + Math.Log(1 + Math.Exp(-Math.Abs(z)));
    public override double Derivative(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    public override void Evaluate<T>(ReadOnlySpan<T> z, Span<T> sigma, Span<T> sigmaPrime)
    {
        // sigmaPrime holds t = e^−|z| until the end: σ = max(z,0) + log(1+t), σ′ = 1/(1+t) for z ≥ 0, t/(1+t) for z < 0.
        TensorPrimitives.Abs(z, sigmaPrime);
        TensorPrimitives.Negate(sigmaPrime, sigmaPrime);
        TensorPrimitives.Exp(sigmaPrime, sigmaPrime);
        TensorPrimitives.Add(sigmaPrime, T.One, sigma);
        TensorPrimitives.Log(sigma, sigma);
        for (int i = 0; i < z.Length; i++)
        {
            T t = sigmaPrime[i], zi = z[i];
            T r = T.One / (T.One + t);
            bool positive = zi >= T.Zero;
            sigmaPrime[i] = positive ? r : t * r;
            if (positive) sigma[i] += zi;
        }
    }
}
