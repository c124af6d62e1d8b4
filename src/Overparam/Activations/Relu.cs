using System.Numerics;
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
        Step(z, sigmaPrime);
    }

    // One pass: each vector of z gives σ (Vector.Max is IEEE 754 maximum, as TensorPrimitives.Max: NaN stays NaN, max(−0, 0) = +0), then σ′ over it.
    public override void EvaluateInPlace<T>(Span<T> zThenSlope, Span<T> sigma)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
            for (; i <= zThenSlope.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var v = new Vector<T>(zThenSlope[i..]);
                Vector.Max(v, Vector<T>.Zero).CopyTo(sigma[i..]);
                Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<T>.Zero), Vector<T>.One, Vector<T>.Zero).CopyTo(zThenSlope[i..]);
            }
        TensorPrimitives.Max(zThenSlope[i..], T.Zero, sigma[i..]);
        Step(zThenSlope[i..], zThenSlope[i..]);
    }

    /// <summary>s_i = [z_i &gt; 0] (0 for NaN and ±0), with vector compares: a branch per element mispredicts on about half of them.</summary>
    private static void Step<T>(ReadOnlySpan<T> z, Span<T> s) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
            for (; i <= z.Length - Vector<T>.Count; i += Vector<T>.Count)
                Vector.ConditionalSelect(Vector.GreaterThan(new Vector<T>(z[i..]), Vector<T>.Zero), Vector<T>.One, Vector<T>.Zero).CopyTo(s[i..]);
        for (; i < z.Length; i++) s[i] = z[i] > T.Zero ? T.One : T.Zero;
    }
}
