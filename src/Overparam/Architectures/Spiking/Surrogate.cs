namespace Overparam.Architectures.Spiking;

/// <summary>
/// A surrogate gradient of the spike S = Θ(H − V_th) (docs/mathematics.md §15.2): the forward pass fires with the
/// Heaviside step Θ(x) = [x ≥ 0], the backward pass uses σ′(x) in place of Θ′. <see cref="Step"/> is a smooth step whose
/// derivative is σ′, the primitive that spikingjelly writes beside each surrogate (used to check BPTT against finite
/// differences).
/// </summary>
public abstract class Surrogate
{
    /// <summary>The --surrogate value.</summary>
    public abstract string Name { get; }

    /// <summary>α when --surrogate-alpha is not given (spikingjelly's defaults: ATan 2, Sigmoid 4).</summary>
    public abstract double DefaultAlpha { get; }

    /// <summary>σ′(x) with sharpness α.</summary>
    public abstract double Derivative(double x, double alpha);

    /// <summary>The smooth step g(x) with g′ = σ′, g(−∞) = 0, g(∞) = 1.</summary>
    public abstract double Step(double x, double alpha);

    public override string ToString() => Name;

    /// <summary>spikingjelly's ATan: σ′(x) = (α/2) / (1 + (π/2·α·x)²), g(x) = arctan(π/2·α·x)/π + 1/2 (the authors').</summary>
    public static readonly Surrogate ATan = new ATanSurrogate();

    /// <summary>spikingjelly's Sigmoid: σ′(x) = α·s(αx)(1 − s(αx)) with s the logistic function, g(x) = s(αx).</summary>
    public static readonly Surrogate Sigmoid = new SigmoidSurrogate();

    /// <summary>The rectangular (box) surrogate of Wu et al. (2018): σ′(x) = [|x| &lt; α/2]/α, g(x) = clamp(x/α + 1/2, 0, 1).</summary>
    public static readonly Surrogate Rectangular = new RectangularSurrogate();

    public static IReadOnlyList<Surrogate> All { get; } = [ATan, Sigmoid, Rectangular];

    public static IReadOnlyList<string> Names => All.Select(s => s.Name).ToArray();

    public static Surrogate? TryParse(string name) => All.FirstOrDefault(s => s.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    private sealed class ATanSurrogate : Surrogate
    {
        public override string Name => "atan";
        public override double DefaultAlpha => 2;
        public override double Derivative(double x, double alpha)
        {
            double u = Math.PI / 2 * alpha * x;
            return alpha / 2 / (1 + u * u);
        }
        public override double Step(double x, double alpha) => Math.Atan(Math.PI / 2 * alpha * x) / Math.PI + 0.5;
    }

    private sealed class SigmoidSurrogate : Surrogate
    {
        public override string Name => "sigmoid";
        public override double DefaultAlpha => 4;
        public override double Derivative(double x, double alpha)
        {
            double s = Step(x, alpha);
            return alpha * s * (1 - s);
        }
        public override double Step(double x, double alpha) => 1 / (1 + Math.Exp(-alpha * x));
    }

    private sealed class RectangularSurrogate : Surrogate
    {
        public override string Name => "rectangular";
        public override double DefaultAlpha => 1;
        public override double Derivative(double x, double alpha) => Math.Abs(x) < alpha / 2 ? 1 / alpha : 0;
        public override double Step(double x, double alpha) => Math.Clamp(x / alpha + 0.5, 0, 1);
    }
}
