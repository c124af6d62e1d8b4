using System.Numerics.Tensors;

namespace Overparam.Activations;

/// <summary>
/// ReLU, accepted as a reference only: it is neither smooth nor analytic, so the deep paper's theorems do not cover it
/// (docs/mathematics.md §3). σ′(0) is taken as 0. Moments use the exact values E[σ] = 1/√(2π), E[σ²] = E[σ′²] = 1/2, so c_σ = 2.
/// </summary>
public sealed class Relu : Activation
{
    public override string Name => "relu";
    public override bool CoveredByTheorems => false;
    public override double Value(double z) => z > 0 ? z : 0;
    public override double Derivative(double z) => z > 0 ? 1 : 0;
    public override double GaussianMean => 1 / Math.Sqrt(2 * Math.PI);
    public override double GaussianSecondMoment => 0.5;
    public override double GaussianDerivativeSecondMoment => 0.5;

    public override void Evaluate<T>(ReadOnlySpan<T> z, Span<T> sigma, Span<T> sigmaPrime)
    {
        TensorPrimitives.Max(z, T.Zero, sigma);
        for (int i = 0; i < z.Length; i++) sigmaPrime[i] = z[i] > T.Zero ? T.One : T.Zero;
    }
}
