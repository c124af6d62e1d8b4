namespace Overparam.Reports;

/// <summary>
/// Ordinary least-squares line through (log10 x, log10 y): log10 y ≈ Slope·log10 x + Intercept,
/// i.e. the power law y ≈ 10^Intercept · x^Slope. Used for "drift of G^(H) vs width" (theory slope −1/2)
/// and "weight movement vs width".
/// </summary>
/// <param name="Slope">Fitted exponent.</param>
/// <param name="Intercept">Fitted log10 of the prefactor.</param>
/// <param name="SlopeStdError">
/// Standard error of the slope, sqrt(Σ rᵢ² / (n − 2) / Σ (uᵢ − ū)²) with uᵢ = log10 xᵢ and rᵢ the residuals;
/// NaN when n = 2 (no degrees of freedom left).
/// </param>
/// <param name="Count">Number of points used (pairs with both x and y finite and positive).</param>
/// <param name="RSquared">Coefficient of determination in log–log space (1 when every residual is 0).</param>
public sealed record LogLogFit(double Slope, double Intercept, double SlopeStdError, int Count, double RSquared)
{
    /// <summary>
    /// Fits the pairs (x[i], y[i]) whose x and y are finite and positive (others are ignored).
    /// Returns null when fewer than two such points remain or all their x are equal.
    /// Repeated x (e.g. several seeds at one width) are fine.
    /// </summary>
    public static LogLogFit? TryFit(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count) throw new ArgumentException($"x has {x.Count} values but y has {y.Count}.");
        var u = new List<double>();
        var v = new List<double>();
        for (int i = 0; i < x.Count; i++)
        {
            if (!(double.IsFinite(x[i]) && x[i] > 0 && double.IsFinite(y[i]) && y[i] > 0)) continue;
            u.Add(Math.Log10(x[i]));
            v.Add(Math.Log10(y[i]));
        }
        int n = u.Count;
        if (n < 2 || u.All(value => value == u[0])) return null; // a single width: no slope
        double uMean = u.Average(), vMean = v.Average();
        double suu = 0, suv = 0, svv = 0;
        for (int i = 0; i < n; i++)
        {
            double du = u[i] - uMean, dv = v[i] - vMean;
            suu += du * du;
            suv += du * dv;
            svv += dv * dv;
        }
        double slope = suv / suu;
        double intercept = vMean - slope * uMean;
        double rss = 0;
        for (int i = 0; i < n; i++)
        {
            double r = v[i] - (slope * u[i] + intercept);
            rss += r * r;
        }
        double stdError = n > 2 ? Math.Sqrt(rss / (n - 2) / suu) : double.NaN;
        double rSquared = svv > 0 ? 1 - rss / svv : 1;
        return new LogLogFit(slope, intercept, stdError, n, rSquared);
    }

    /// <summary>The fitted power law at x: 10^Intercept · x^Slope.</summary>
    public double Predict(double x) => Math.Pow(10, Intercept + Slope * Math.Log10(x));
}
