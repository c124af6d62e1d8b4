using Overparam.Reports;

namespace Overparam.Tests.Reports;

public class LogLogFitTests
{
    [Fact]
    public void ExactPowerLawGivesItsExponent()
    {
        double[] m = [16, 32, 64, 128, 256, 512, 1024];
        double[] drift = m.Select(x => 3 / Math.Sqrt(x)).ToArray();
        var fit = LogLogFit.TryFit(m, drift)!;
        Assert.Equal(-0.5, fit.Slope, 1e-12);
        Assert.Equal(Math.Log10(3), fit.Intercept, 1e-12);
        Assert.Equal(0, fit.SlopeStdError, 1e-10);
        Assert.Equal(1, fit.RSquared, 1e-12);
        Assert.Equal(7, fit.Count);
        Assert.Equal(3 / Math.Sqrt(2048), fit.Predict(2048), 1e-12);
    }

    [Fact]
    public void NoisyCaseMatchesHandComputation()
    {
        // u = log10 x = 0, 1, 2 and v = log10 y = 0, 0.5, 1.2.
        // ū = 1, v̄ = 1.7/3, Suu = 2, Suv = 1.2 ⇒ slope 0.6, intercept 1.7/3 − 0.6 = −1/30.
        // Residuals 1/30, −1/15, 1/30 ⇒ RSS = 1/150, SE = sqrt(RSS/(n−2)/Suu) = sqrt(1/300).
        // Svv = 1.69 − 2.89/3 = 2.18/3 ⇒ R² = 1 − (1/150)/(2.18/3) = 108/109.
        double[] x = [1, 10, 100];
        double[] y = [1, Math.Pow(10, 0.5), Math.Pow(10, 1.2)];
        var fit = LogLogFit.TryFit(x, y)!;
        Assert.Equal(0.6, fit.Slope, 1e-12);
        Assert.Equal(-1.0 / 30, fit.Intercept, 1e-12);
        Assert.Equal(Math.Sqrt(1.0 / 300), fit.SlopeStdError, 1e-12);
        Assert.Equal(108.0 / 109, fit.RSquared, 1e-12);
    }

    [Fact]
    public void IgnoresUnusablePointsAndAcceptsRepeatedWidths()
    {
        double[] x = [10, 10, 100, 100, 1000, -5, 50];
        double[] y = [2, 2, 20, 20, 200, 7, double.NaN];
        var fit = LogLogFit.TryFit(x, y)!;
        Assert.Equal(5, fit.Count);
        Assert.Equal(1, fit.Slope, 1e-12);
    }

    [Fact]
    public void ReturnsNullWhenThereIsNothingToFit()
    {
        Assert.Null(LogLogFit.TryFit([], []));
        Assert.Null(LogLogFit.TryFit([10], [1]));
        Assert.Null(LogLogFit.TryFit([10, 10, 10], [1, 2, 3])); // one width only
        Assert.Null(LogLogFit.TryFit([10, 20], [0, -1]));
        Assert.True(double.IsNaN(LogLogFit.TryFit([10, 20], [1, 2])!.SlopeStdError)); // two points: no error estimate
        Assert.Throws<ArgumentException>(() => LogLogFit.TryFit([1, 2], [1]));
    }
}

public class ReportFormatTests
{
    [Fact]
    public void FormatsNumbersForReaders()
    {
        Assert.Equal("1e\u22129", ReportFormat.General(1e-9));
        Assert.Equal("\u22120.457", ReportFormat.General(-0.4567));
        Assert.Equal("\u22120.49", ReportFormat.Signed(-0.4913));
        Assert.Equal("\u22120.5", ReportFormat.Signed(-0.5));
        Assert.Equal("0", ReportFormat.Signed(-0.001));
        Assert.Equal("10\u207B\u00B3", LogAxisTicks.Label(-3));
        Assert.Equal("10\u2074", LogAxisTicks.Label(4));
        Assert.Equal(0.1 + 0.2, ReportFormat.ParseRoundTrip(ReportFormat.RoundTrip(0.1 + 0.2)));
    }
}
