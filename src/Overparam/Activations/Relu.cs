using System.Numerics;
using System.Numerics.Tensors;

namespace Overparam.Activations;

/// <summary>
/// ReLU, accepted as a reference only: it is neither smooth nor analytic, so the deep paper's theorems do not cover it
/// (spec §3). σ′(0) is taken as 0. Moments use the exact values E[σ] = 1/√(2π), E[σ²] = E[σ′²] = 1/2, so c_σ = 2.
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

    // σ first (it reads z), then σ′ over z: no copy of z needed.
    public override void EvaluateInPlace<T>(Span<T> zThenSlope, Span<T> sigma)
    {
        TensorPrimitives.Max(zThenSlope, T.Zero, sigma);
        Step(zThenSlope, zThenSlope);
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
