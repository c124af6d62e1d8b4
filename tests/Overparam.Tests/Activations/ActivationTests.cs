using Overparam.Activations;

namespace Overparam.Tests.Activations;

public class ActivationTests
{
    // docs/mathematics.md §7 table (96-point Gauss–Hermite, 6 decimals).
    [Theory]
    [InlineData("softplus", 1.085487, 0.806059, 0.921246, 0.293379)]
    [InlineData("tanh", 2.536175, 0.0, 0.394294, 0.464403)]
    [InlineData("sigmoid", 3.408560, 0.5, 0.293379, 0.044836)]
    [InlineData("gelu", 2.351716, 0.282095, 0.425221, 0.455851)]
    [InlineData("silu", 2.810761, 0.206621, 0.355776, 0.379482)]
    [InlineData("relu", 2.0, 0.398942, 0.5, 0.5)]
    public void MomentsMatchSpecTable(string name, double cSigma, double mean, double second, double derivSecond)
    {
        var act = Activation.Parse(name);
        Assert.Equal(cSigma, act.CSigma, 1e-6);
        Assert.Equal(mean, act.GaussianMean, 1e-6);
        Assert.Equal(second, act.GaussianSecondMoment, 1e-6);
        Assert.Equal(derivSecond, act.GaussianDerivativeSecondMoment, 1e-6);
    }

    [Theory]
    [InlineData("softplus")]
    [InlineData("tanh")]
    [InlineData("sigmoid")]
    [InlineData("gelu")]
    [InlineData("silu")]
    public void DerivativeMatchesFiniteDifference(string name)
    {
        var act = Activation.Parse(name);
        for (double z = -6; z <= 6; z += 0.37)
        {
            double h = 1e-5;
            double fd = (act.Value(z + h) - act.Value(z - h)) / (2 * h);
            Assert.Equal(fd, act.Derivative(z), 1e-9);
        }
    }

    [Theory]
    [InlineData("softplus")]
    [InlineData("tanh")]
    [InlineData("sigmoid")]
    [InlineData("gelu")]
    [InlineData("silu")]
    [InlineData("relu")]
    public void VectorizedEvaluateMatchesScalar(string name)
    {
        var act = Activation.Parse(name);
        var z = Enumerable.Range(0, 1001).Select(i => -40 + 0.08 * i).ToArray();
        var s = new double[z.Length];
        var d = new double[z.Length];
        act.Evaluate<double>(z, s, d);
        for (int i = 0; i < z.Length; i++)
        {
            Assert.Equal(act.Value(z[i]), s[i], 1e-14 * Math.Max(1, Math.Abs(s[i])));
            Assert.Equal(act.Derivative(z[i]), d[i], 1e-14);
        }
        var zf = z.Select(v => (float)v).ToArray();
        var sf = new float[z.Length];
        var df = new float[z.Length];
        act.Evaluate<float>(zf, sf, df);
        for (int i = 0; i < z.Length; i++) Assert.Equal(act.Value(zf[i]), sf[i], 1e-5 * Math.Max(1, Math.Abs(sf[i])));
    }
}
