using Overparam.Activations;

namespace Overparam.Tests.Kernels;

/// <summary>
/// An independent reference for λ₀ of two inputs of equal norm r at angle θ (docs/mathematics.md §4.1, §4.2, §4.4),
/// written without the cancellation that makes λ₀ = K_ii − K_ij hard near θ = 0. By symmetry both samples have the
/// same variances at every layer, so the recursion carries the diagonal A and the distance D = K_ii − K_ij, and λ₀ is
/// the last layer's distance. Each distance is propagated by Price's theorem, ∂E[f(u)f(v)]/∂c = E[f′(u)f′(v)]:
/// <code>
///   E_a[f²] − E_{a−D}[f f] = ∫_{a−D}^{a} E_c[f′(u) f′(v)] dc     (u, v variance a, covariance c)
/// </code>
/// evaluated by 8-point Gauss–Legendre in c, and every expectation by composite Gauss–Legendre in both Cholesky variables
/// (z₁: 40 panels of 10 nodes on [−10, 10], ~1e−14 for tanh at variance 8; z₂: 10 panels, where the scale is
/// at most s√a ≈ 0.5), with σ, σ′ and σ″ written out here — no code shared with
/// the kernels (which use a trapezoid rule and the Mehler series). For ReLU the arc-cosine forms give the distances in
/// closed form.
/// </summary>
internal sealed class NearParallelReference
{
    /// <summary>σ, σ′, σ″ of a test activation (σ″ feeds Price's theorem for the σ′σ′ distance).</summary>
    public sealed record Functions(Func<double, double> F, Func<double, double> F1, Func<double, double> F2);

    public static Functions For(string name) => name switch
    {
        "tanh" => new(Math.Tanh, z => { double t = Math.Tanh(z); return 1 - t * t; }, z => { double t = Math.Tanh(z); return -2 * t * (1 - t * t); }),
        "softplus" => new(z => z > 0 ? z + Math.Log(1 + Math.Exp(-z)) : Math.Log(1 + Math.Exp(z)), Logistic, z => { double s = Logistic(z); return s * (1 - s); }),
        "sigmoid" => new(Logistic, z => { double s = Logistic(z); return s * (1 - s); }, z => { double s = Logistic(z); return s * (1 - s) * (1 - 2 * s); }),
        "gelu" => new(z => z * Phi(z), z => Phi(z) + z * Pdf(z), z => Pdf(z) * (2 - z * z)),
        "silu" => new(z => z * Logistic(z), z => { double s = Logistic(z); return s * (1 + z * (1 - s)); },
            z => { double s = Logistic(z); return s * (1 - s) * (2 + z * (1 - 2 * s)); }),
        _ => throw new ArgumentException(name),
    };

    private static double Logistic(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));
    private static double Pdf(double z) => Math.Exp(-0.5 * z * z) / Math.Sqrt(2 * Math.PI);
    private static double Phi(double z) => 0.5 * MathNet.Numerics.SpecialFunctions.Erfc(-z / Math.Sqrt(2));

    private readonly Functions f;
    private readonly double cSigma;
    private static readonly (double[] X, double[] W) Outer = Composite(40), Inner = Composite(10), Price = GaussLegendre(8, 0, 1);

    public NearParallelReference(Functions functions)
    {
        f = functions;
        cSigma = 1 / Mean(z => f.F(z) * f.F(z), 1);
    }

    /// <summary>λ₀ and tr K^(H) of the fully connected network (K^(H) = K^(H−1) ⊙ c_σ E[σ′σ′]).</summary>
    public (double Lambda0, double Trace) FullyConnected(double r, double theta, int depth)
    {
        double a = r * r, d = 2 * r * r * Math.Pow(Math.Sin(theta / 2), 2);
        for (int h = 1; h < depth; h++) (a, d) = (cSigma * Mean(z => f.F(z) * f.F(z), a), cSigma * Distance(f.F1, a, d));
        double p11 = cSigma * Mean(z => f.F1(z) * f.F1(z), a), dp = cSigma * Distance(f.F2, a, d);
        return (a * dp + d * (p11 - dp), 2 * a * p11);
    }

    /// <summary>λ₀ and tr K^(H) of the ResNet, depth ≥ 2 (eq. (8) with the eq. (16) pairing; the b-terms cancel in D).</summary>
    public (double Lambda0, double Trace) ResNet(double r, double theta, int depth, double cRes)
    {
        double step = cRes / depth, a = r * r, d = 2 * r * r * Math.Pow(Math.Sin(theta / 2), 2);
        double b = Math.Sqrt(cSigma) * Mean(f.F, a);
        (a, d) = (cSigma * Mean(z => f.F(z) * f.F(z), a), cSigma * Distance(f.F1, a, d));
        for (int h = 2; h < depth; h++)
        {
            double mu = Mean(f.F, a);
            (a, d) = (a + 2 * step * mu * b + step * step * Mean(z => f.F(z) * f.F(z), a), d + step * step * Distance(f.F1, a, d));
            b += step * mu;
        }
        double p11 = Mean(z => f.F1(z) * f.F1(z), a), dp = Distance(f.F2, a, d);
        return (step * step * (a * dp + d * (p11 - dp)), 2 * step * step * a * p11);
    }

    /// <summary>
    /// λ₀ and tr K^(H) of the convolutional ResNet (kernel size 3) for inputs x_i = <paramref name="positions"/>
    /// (channels × p, scaled to norm r) and x_j = x_i with its channels rotated by θ at every position. Only the
    /// position-diagonal entries (l, l) reach K^(H), so the reference carries A_l and D_l.
    /// </summary>
    public (double Lambda0, double Trace) ConvResNet(double[,] positions, double r, double theta, int depth, double cRes)
    {
        int c = positions.GetLength(0), p = positions.GetLength(1);
        double norm2 = 0;
        foreach (double v in positions) norm2 += v * v;
        var a = new double[p]; var d = new double[p];
        for (int l = 0; l < p; l++)
        {
            for (int k = 0; k < c; k++) a[l] += positions[k, l] * positions[k, l] * r * r / norm2;
            d[l] = 2 * a[l] * Math.Pow(Math.Sin(theta / 2), 2);                // x_l · (I − R) x_l = (1 − cos θ)|x_l|²
        }
        double step = cRes / depth;
        var la = Patch(a); var ld = Patch(d);
        var b = new double[p];
        for (int l = 0; l < p; l++)
        {
            b[l] = Math.Sqrt(cSigma) * Mean(f.F, la[l]);
            (a[l], d[l]) = (cSigma * Mean(z => f.F(z) * f.F(z), la[l]), cSigma * Distance(f.F1, la[l], ld[l]));
        }
        for (int h = 2; h < depth; h++)
        {
            la = Patch(a); ld = Patch(d);
            for (int l = 0; l < p; l++)
            {
                double mu = Mean(f.F, la[l]);
                a[l] += 2 * step * mu * b[l] + step * step * Mean(z => f.F(z) * f.F(z), la[l]);
                d[l] += step * step * Distance(f.F1, la[l], ld[l]);
                b[l] += step * mu;
            }
        }
        la = Patch(a); ld = Patch(d);
        double lambda0 = 0, diag = 0;
        for (int l = 0; l < p; l++)
        {
            double p11 = Mean(z => f.F1(z) * f.F1(z), la[l]), dp = Distance(f.F2, la[l], ld[l]);
            lambda0 += step * step * (la[l] * dp + ld[l] * (p11 - dp));
            diag += step * step * la[l] * p11;
        }
        return (lambda0, 2 * diag);
    }

    /// <summary>λ₀ and tr K^(H) of the fully connected ReLU network from the arc-cosine forms, in distances.</summary>
    public static (double Lambda0, double Trace) ReluFullyConnected(double r, double theta, int depth)
    {
        // c_σ = 2 keeps K_ii = r²; with cos φ = 1 − D/a: D' = a (2 sin²(φ/2) − (sin φ − φ cos φ)/π), sin φ − φ cos φ = ∫_0^φ t sin t dt.
        double a = r * r, d = 2 * r * r * Math.Pow(Math.Sin(theta / 2), 2);
        for (int h = 1; h < depth; h++)
        {
            double phi = Angle(a, d), g = 0;
            for (int k = 0; k < Price.X.Length; k++) g += Price.W[k] * phi * (phi * Price.X[k]) * Math.Sin(phi * Price.X[k]);
            d = a * (2 * Math.Pow(Math.Sin(phi / 2), 2) - g / Math.PI);
        }
        double last = Angle(a, d);
        return (d + (a - d) * last / Math.PI, 2 * a);                         // K^(H) = K^(H−1) ⊙ 2·(π − φ)/(2π)
    }

    private static double Angle(double a, double d) => 2 * Math.Asin(Math.Sqrt(d / (2 * a)));

    private static double[] Patch(double[] s)
    {
        var o = new double[s.Length];
        for (int l = 0; l < s.Length; l++)
            for (int t = -1; t <= 1; t++)
                if (l + t >= 0 && l + t < s.Length) o[l] += s[l + t];
        return o;
    }

    /// <summary>E[g(√a z)].</summary>
    private static double Mean(Func<double, double> g, double a)
    {
        double sa = Math.Sqrt(a), s = 0;
        for (int k = 0; k < Outer.X.Length; k++) s += Outer.W[k] * g(sa * Outer.X[k]);
        return s;
    }

    /// <summary>E_a[g²] − E_{a−d}[g g] = d ∫_0^1 E_{a − (1−t)d}[g′ g′] dt, for the function g whose derivative is g1.</summary>
    private static double Distance(Func<double, double> g1, double a, double d)
    {
        if (d == 0) return 0;
        double s = 0;
        for (int k = 0; k < Price.X.Length; k++) s += Price.W[k] * Cross(g1, a, (1 - Price.X[k]) * d);
        return d * s;
    }

    /// <summary>E[g(u) g(v)], u, v of variance a and covariance a − d: u = √a z₁, v = √a (ρ z₁ + s z₂).</summary>
    private static double Cross(Func<double, double> g, double a, double d)
    {
        double e = d / a, rho = 1 - e, s = Math.Sqrt(e * (2 - e)), sa = Math.Sqrt(a), total = 0;
        for (int k = 0; k < Outer.X.Length; k++)
        {
            double x = sa * rho * Outer.X[k], inner = 0;
            for (int l = 0; l < Inner.X.Length; l++) inner += Inner.W[l] * g(x + sa * s * Inner.X[l]);
            total += Outer.W[k] * g(sa * Outer.X[k]) * inner;
        }
        return total;
    }

    /// <summary>Composite 10-point Gauss–Legendre on [−10, 10] with the standard normal density folded into the weights.</summary>
    private static (double[] X, double[] W) Composite(int panels)
    {
        var (x, w) = GaussLegendre(10, -1, 1);
        double width = 20.0 / panels;
        var nodes = new List<double>(); var weights = new List<double>();
        for (int q = 0; q < panels; q++)
        {
            double mid = -10 + (q + 0.5) * width;
            for (int k = 0; k < x.Length; k++)
            {
                double z = mid + 0.5 * width * x[k];
                nodes.Add(z);
                weights.Add(0.5 * width * w[k] * Math.Exp(-0.5 * z * z) / Math.Sqrt(2 * Math.PI));
            }
        }
        return (nodes.ToArray(), weights.ToArray());
    }

    /// <summary>n-point Gauss–Legendre on [lo, hi]: Newton's method on P_n from the Chebyshev guesses.</summary>
    private static (double[] X, double[] W) GaussLegendre(int n, double lo, double hi)
    {
        var x = new double[n]; var w = new double[n];
        for (int i = 0; i < n; i++)
        {
            double t = Math.Cos(Math.PI * (i + 0.75) / (n + 0.5)), dp = 0;
            for (int it = 0; it < 100; it++)
            {
                double p0 = 1, p1 = t;
                for (int k = 2; k <= n; k++) (p0, p1) = (p1, ((2 * k - 1) * t * p1 - (k - 1) * p0) / k);
                dp = n * (t * p1 - p0) / (t * t - 1);
                double dt = p1 / dp;
                t -= dt;
                if (Math.Abs(dt) < 1e-16) break;
            }
            x[i] = lo + (hi - lo) * (t + 1) / 2;
            w[i] = (hi - lo) / ((1 - t * t) * dp * dp);
        }
        return (x, w);
    }
}
