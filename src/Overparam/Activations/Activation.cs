using System.Numerics;
using Overparam.Numerics;

namespace Overparam.Activations;

/// <summary>
/// An activation σ with its derivative σ′ and the paper's normalization c_σ = 1/E[σ(z)²], z ∼ N(0, 1) (docs/mathematics.md §2.1).
/// Moments are computed by Gauss–Hermite quadrature with <see cref="MomentDegree"/> nodes unless a closed form exists.
/// </summary>
public abstract class Activation
{
    /// <summary>Quadrature degree for the one-dimensional moments (exact to ~1e-12 for the smooth activations).</summary>
    public const int MomentDegree = 200;

    public abstract string Name { get; }

    /// <summary>True when σ satisfies Conditions 3.1 and 3.2 (Lipschitz, smooth, analytic, not a polynomial; docs/mathematics.md §3).</summary>
    public virtual bool CoveredByTheorems => true;

    public abstract double Value(double z);
    public abstract double Derivative(double z);

    /// <summary>σ(z) and σ′(z) for every element, vectorized where the library allows; may be called on chunks in parallel. The outputs must not overlap z.</summary>
    public abstract void Evaluate<T>(ReadOnlySpan<T> z, Span<T> sigma, Span<T> sigmaPrime) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// σ(z) into <paramref name="sigma"/> and σ′(z) over <paramref name="zThenSlope"/> itself (a layer needs only σ′ of its
    /// pre-activations afterwards). The default copies z to a pooled buffer and calls <see cref="Evaluate"/>; an
    /// activation whose σ′ can be read off z element by element overrides it without the copy.
    /// </summary>
    public virtual void EvaluateInPlace<T>(Span<T> zThenSlope, Span<T> sigma) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var pooled = System.Buffers.ArrayPool<T>.Shared.Rent(zThenSlope.Length);
        var z = pooled.AsSpan(0, zThenSlope.Length);
        zThenSlope.CopyTo(z);
        Evaluate<T>(z, sigma, zThenSlope);
        System.Buffers.ArrayPool<T>.Shared.Return(pooled);
    }

    /// <summary>E[σ(z)], z ∼ N(0, 1).</summary>
    public virtual double GaussianMean => GaussHermite.ForStandardNormal(MomentDegree).Expect(Value);

    /// <summary>E[σ(z)²], z ∼ N(0, 1).</summary>
    public virtual double GaussianSecondMoment => GaussHermite.ForStandardNormal(MomentDegree).Expect(z => Value(z) * Value(z));

    /// <summary>E[σ′(z)²], z ∼ N(0, 1).</summary>
    public virtual double GaussianDerivativeSecondMoment => GaussHermite.ForStandardNormal(MomentDegree).Expect(z => Derivative(z) * Derivative(z));

    /// <summary>c_σ = (E[σ(z)²])⁻¹ (docs/mathematics.md §2.1, §7).</summary>
    public double CSigma => 1.0 / GaussianSecondMoment;

    public static readonly string[] Names = ["softplus", "tanh", "sigmoid", "gelu", "silu", "relu"];

    /// <summary>The activation by name (case-insensitive), or null.</summary>
    public static Activation? TryParse(string name) => name.ToLowerInvariant() switch
    {
        "softplus" => new Softplus(),
        "tanh" => new Tanh(),
        "sigmoid" => new Sigmoid(),
        "gelu" => new Gelu(),
        "silu" or "swish" => new Silu(),
        "relu" => new Relu(),
        _ => null,
    };

    public static Activation Parse(string name) => TryParse(name)
        ?? throw new ArgumentException($"unknown activation '{name}' (expected one of {string.Join(", ", Names)})");

    /// <summary>Element-wise fallback for activations without a vectorized form.</summary>
    protected void EvaluateScalar<T>(ReadOnlySpan<T> z, Span<T> sigma, Span<T> sigmaPrime) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < z.Length; i++)
        {
            double x = double.CreateTruncating(z[i]);
            sigma[i] = T.CreateTruncating(Value(x));
            sigmaPrime[i] = T.CreateTruncating(Derivative(x));
        }
    }

    public override string ToString() => Name;
}
