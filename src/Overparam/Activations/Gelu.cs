using MathNet.Numerics;

namespace Overparam.Activations;

/// <summary>GELU in its exact erf form: σ(z) = z·Φ(z), σ′(z) = Φ(z) + z·φ(z).</summary>
public sealed class Gelu : Activation
{
    private static readonly double InvSqrt2 = 1 / Math.Sqrt(2), InvSqrt2Pi = 1 / Math.Sqrt(2 * Math.PI);

    public override string Name => "gelu";
    public override double Value(double z) => z * Phi(z);
    public override double Derivative(double z) => Phi(z) + z * InvSqrt2Pi * Math.Exp(-0.5 * z * z);

    private static double Phi(double z) => 0.5 * SpecialFunctions.Erfc(-z * InvSqrt2);

    public override void Evaluate<T>(ReadOnlySpan<T> z, Span<T> sigma, Span<T> sigmaPrime) => EvaluateScalar(z, sigma, sigmaPrime);
}
