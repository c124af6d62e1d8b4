using Overparam.Numerics;

namespace Overparam.Kernels;

/// <summary>
/// Closed-form bivariate Gaussian expectations, (u, v) ∼ N(0, [[a, c], [c, b]]), cos θ = ρ = c/√(ab) (clamped).
/// ReLU is not differentiable, so its recursions use these instead of quadrature; the erf forms are test references.
/// </summary>
public static class ClosedForms
{
    /// <summary>
    /// E[relu(u) relu(v)] = √(ab)/(2π) (sin θ + (π − θ) cos θ)  (arc-cosine kernel of degree 1, Cho–Saul).
    /// sin θ is taken of the computed θ, not as √(1 − ρ²): near ρ = 1 both θ and √(1 − ρ²) are off by ~ε/θ, but
    /// sin θ + (π − θ)ρ is flat in θ there, so its error stays ~ε (with √(1 − ρ²) it was ~ε/θ, and λ₀ of inputs
    /// 1e−4 apart was 8e−6 off at H = 3).
    /// </summary>
    public static double ReluReluExpectation(double a, double b, double c)
    {
        if (!(a > 0) || !(b > 0)) return 0;
        double rho = BivariateGaussian.Correlation(a, b, c), theta = Math.Acos(rho);
        return Math.Sqrt(a * b) / (2 * Math.PI) * (Math.Sin(theta) + (Math.PI - theta) * rho);
    }

    /// <summary>E[1{u &gt; 0} 1{v &gt; 0}] = (π − θ)/(2π)  (arc-cosine kernel of degree 0; 0 when a variance is 0).</summary>
    public static double StepStepExpectation(double a, double b, double c)
    {
        if (!(a > 0) || !(b > 0)) return 0;
        return (Math.PI - Math.Acos(BivariateGaussian.Correlation(a, b, c))) / (2 * Math.PI);
    }

    /// <summary>E[relu(u)] = √(a/(2π)).</summary>
    public static double ReluMean(double a) => Math.Sqrt(Math.Max(a, 0) / (2 * Math.PI));

    /// <summary>E[erf(u) erf(v)] = (2/π) arcsin(2c / √((1 + 2a)(1 + 2b)))  (Williams 1997).</summary>
    public static double ErfErfExpectation(double a, double b, double c)
        => 2 / Math.PI * Math.Asin(Math.Clamp(2 * c / Math.Sqrt((1 + 2 * a) * (1 + 2 * b)), -1, 1));

    /// <summary>E[erf′(u) erf′(v)] = (4/π) / √((1 + 2a)(1 + 2b) − 4c²), erf′(z) = (2/√π) e^(−z²).</summary>
    public static double ErfPrimeErfPrimeExpectation(double a, double b, double c)
        => 4 / Math.PI / Math.Sqrt((1 + 2 * a) * (1 + 2 * b) - 4 * c * c);
}
