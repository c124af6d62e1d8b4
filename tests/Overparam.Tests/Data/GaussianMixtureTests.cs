using Overparam.Architectures;
using Overparam.Data;
using Overparam.Experiments;
using Overparam.Numerics;

namespace Overparam.Tests.Data;

public class GaussianMixtureTests
{
    [Theory]
    [InlineData(0.1, 20)]
    [InlineData(0.25, 5)]
    [InlineData(0.02, 50)]
    public void BayesRuleErrsAtTheRequestedRate(double bayesError, int d)
    {
        var mixture = new GaussianMixture([d], bayesError, seed: 7);
        Assert.Equal(-NormalDistribution.Quantile(bayesError), mixture.MeanNorm);
        Assert.Equal(mixture.MeanNorm, Math.Sqrt(mixture.Mean.Sum(v => v * v)), 1e-12);

        const int n = 20_000;
        var test = mixture.Sample(n, SyntheticData.TestSeed(7));
        int errors = Enumerable.Range(0, n).Count(i => mixture.BayesRule(test.X.Row(i)) != test.Y[i]);
        double rate = (double)errors / n, standardError = Math.Sqrt(bayesError * (1 - bayesError) / n);
        Assert.InRange(rate, bayesError - 3 * standardError, bayesError + 3 * standardError);
        Assert.InRange(test.Y.Count(y => y == 1), n / 2 - 3 * Math.Sqrt(n / 4.0), n / 2 + 3 * Math.Sqrt(n / 4.0));
    }

    [Fact]
    public void SamplesFollowTheDocumentedDrawOrder()
    {
        var mixture = new GaussianMixture([3], 0.1, seed: 1);
        var data = mixture.Sample(4, seed: 2);
        var rng = new GaussianRng(2);
        var noise = new double[12];
        rng.FillGaussian(noise);
        for (int i = 0; i < 4; i++)
        {
            double y = rng.NextSign();
            Assert.Equal(y, data.Y[i]);
            for (int j = 0; j < 3; j++) Assert.Equal(noise[3 * i + j] + y * mixture.Mean[j], data.X[i, j]);
        }
    }

    [Fact]
    public void RunDataGivesAFreshTestSampleAndClassIdsForTwoOutputs()
    {
        var spec = new RunSpec { Data = "mixture", N = 50, D = 6, NTest = 300, BayesError = 0.2, RawInputs = true, DataSeed = 11 };
        var fc = Architecture.Parse("fc");
        var data = RunData.LoadSplit(spec, fc, out _);
        Assert.Equal(0, data.Classes);
        Assert.Equal(300, data.Test!.Count);
        Assert.All(data.Train.Y, y => Assert.True(y is -1 or 1));
        Assert.NotEqual(data.Train.X.Row(0).ToArray(), data.Test.X.Row(0).ToArray());
        double norm = -NormalDistribution.Quantile(0.2);
        Assert.Contains($"||mu|| = {norm:R} for Bayes error 0.2", data.Description);
        Assert.Contains("seed 11", data.Description);
        Assert.Contains($"seed {SyntheticData.TestSeed(11)}", data.Description);

        // The same test set whatever the training set's size.
        var bigger = RunData.LoadSplit(spec with { N = 80 }, fc, out _);
        Assert.Equal(data.Test.X.Data, bigger.Test!.X.Data);

        var ids = RunData.LoadSplit(spec, fc, out _, outputs: 2);
        Assert.Equal(2, ids.Classes);
        Assert.Equal(data.Train.Y.Select(y => (y + 1) / 2), ids.Train.Y);
        Assert.Equal(data.Test.Y.Select(y => (y + 1) / 2), ids.Test!.Y);
        Assert.Equal(1000, RunData.LoadSplit(spec with { NTest = null }, fc, out _).Test!.Count);
    }

    [Fact]
    public void ConvInputsHaveTheConvShape()
    {
        var spec = new RunSpec { Architecture = "convresnet", Data = "mixture", N = 10, D0 = 2, P = 5, NTest = 4 };
        var data = RunData.LoadSplit(spec, Architecture.Parse("convresnet"), out _);
        Assert.Equal([2, 5], data.Train.InputShape);
        Assert.Equal([2, 5], data.Test!.InputShape);
    }
}
