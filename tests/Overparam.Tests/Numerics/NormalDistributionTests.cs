using Overparam.Numerics;

namespace Overparam.Tests.Numerics;

public class NormalDistributionTests
{
    // Reference values: -sqrt(2)·erfinv(1 − 2p) in 60-digit arithmetic (mpmath), rounded to double.
    [Theory]
    [InlineData(0.1, -1.2815515655446004)]
    [InlineData(0.025, -1.9599639845400543)]
    [InlineData(0.975, 1.9599639845400538)]
    [InlineData(0.01, -2.326347874040841)]
    [InlineData(0.02425, -1.972961051311885)]   // the edge of Acklam's tail region
    [InlineData(0.3, -0.5244005127080408)]
    [InlineData(0.4999, -0.00025066283008800747)]
    [InlineData(0.75, 0.6744897501960817)]
    [InlineData(0.9, 1.2815515655446006)]
    [InlineData(1e-10, -6.361340902404057)]
    [InlineData(0.999999999999, 7.0344869100478356)]
    public void QuantileMatchesHighPrecisionValues(double p, double expected) =>
        Assert.Equal(expected, NormalDistribution.Quantile(p), Math.Abs(expected) * 4e-16);

    [Fact]
    public void QuantileOfOneTenthIsExact() => Assert.Equal(-1.2815515655446004, NormalDistribution.Quantile(0.1));

    [Fact]
    public void EndsAndMiddle()
    {
        Assert.Equal(0.0, NormalDistribution.Quantile(0.5));
        Assert.Equal(double.NegativeInfinity, NormalDistribution.Quantile(0));
        Assert.Equal(double.PositiveInfinity, NormalDistribution.Quantile(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => NormalDistribution.Quantile(1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => NormalDistribution.Quantile(double.NaN));
    }

    [Fact]
    public void CdfInvertsQuantile()
    {
        // Φ is ill-conditioned in the far tail (dΦ/Φ ≈ x·dx), hence the relative 1e-13.
        foreach (double p in new[] { 1e-20, 1e-5, 0.2, 0.5, 0.8 })
            Assert.Equal(p, NormalDistribution.Cdf(NormalDistribution.Quantile(p)), p * 1e-13);
    }
}
