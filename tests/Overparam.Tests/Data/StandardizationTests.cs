using Overparam.Architectures;
using Overparam.Data;
using Overparam.Experiments;
using Overparam.Numerics;

namespace Overparam.Tests.Data;

public sealed class StandardizationTests : IDisposable
{
    private readonly TempDirectory dir = new();
    public void Dispose() => dir.Dispose();

    [Fact]
    public void TrainingFeaturesGetMeanZeroAndStdOne()
    {
        var rng = new GaussianRng(5);
        var x = new Matrix<double>(50, 4);
        for (int i = 0; i < 50; i++)
        {
            x[i, 0] = 3 + 2 * rng.NextGaussian();
            x[i, 1] = -1e3 + 1e-2 * rng.NextGaussian();
            x[i, 2] = 0.7;                       // constant: only centred
            x[i, 3] = i % 2;
        }
        var train = new Dataset(x, new double[50], [4], "test");
        var s = Standardization.Fit(train);
        var z = s.Apply(train);
        for (int j = 0; j < 4; j++)
        {
            var column = Enumerable.Range(0, 50).Select(i => z.X[i, j]).ToArray();
            double mean = column.Average(), std = Math.Sqrt(column.Sum(v => (v - mean) * (v - mean)) / 50);
            // Feature 1 has |mean|/std = 1e5, so its standardized values carry absolute errors of about 1e5 ulp.
            Assert.Equal(0, mean, 1e-9);
            Assert.Equal(j == 2 ? 0 : 1, std, 1e-9);
        }
        Assert.Equal(0, s.Stds[2]);
        Assert.Equal(1, s.ConstantFeatures);
        Assert.Contains("1 of 4 features are constant over the training set and are only centred", s.Description);

        // A test set is mapped with the training statistics.
        var test = new Dataset(new Matrix<double>(1, 4, [3, -1e3, 1.7, 1]), [0.0], [4], "test");
        var zt = s.Apply(test);
        Assert.Equal((3 - s.Means[0]) / s.Stds[0], zt.X[0, 0]);
        Assert.Equal(1.0, zt.X[0, 2], 1e-15);
    }

    [Fact]
    public void RunDataStandardizesTrainAndTestWithTheTrainingStatistics()
    {
        string train = dir.Write("train.csv", "1,10,0\n2,10,1\n3,10,0\n4,10,1\n");
        string test = dir.Write("test.csv", "5,10,1\n0,10,0\n");
        var spec = new RunSpec { Data = "csv:" + train, TestData = "csv:" + test, Standardize = true };
        var data = RunData.LoadSplit(spec, Architecture.Parse("fc"), out var warnings);
        double std = Math.Sqrt(1.25);   // of 1, 2, 3, 4 about 2.5, divided by n
        Assert.Equal([(1 - 2.5) / std, 0, (2 - 2.5) / std, 0, (3 - 2.5) / std, 0, (4 - 2.5) / std, 0], data.Train.X.Data, new Tolerance(1e-15));
        Assert.Equal([(5 - 2.5) / std, 0, -2.5 / std, 0], data.Test!.X.Data, new Tolerance(1e-15));
        Assert.Contains("standardized per feature", data.Description);
        Assert.Contains("1 of 2 features are constant", data.Description);
        Assert.Empty(warnings);   // no unit-norm warnings for standardized inputs
    }

    private sealed class Tolerance(double eps) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= eps;
        public int GetHashCode(double v) => 0;
    }
}
