using Overparam.Data;
using Overparam.Numerics;

namespace Overparam.Tests.Data;

public class SyntheticDataTests
{
    [Fact]
    public void UnitSphereFollowsTheDocumentedDrawOrder()
    {
        const int n = 5, d = 3;
        var data = SyntheticData.UnitSphere(n, d, seed: 42);

        // Reference: n·d Gaussians for the inputs (row by row), then n Gaussians for the labels.
        var rng = new GaussianRng(42);
        for (int i = 0; i < n; i++)
        {
            double[] g = [rng.NextGaussian(), rng.NextGaussian(), rng.NextGaussian()];
            double norm = Math.Sqrt(g[0] * g[0] + g[1] * g[1] + g[2] * g[2]);
            for (int j = 0; j < d; j++) Assert.Equal(g[j] / norm, data.X[i, j], 1e-15);
        }
        for (int i = 0; i < n; i++) Assert.Equal(rng.NextGaussian(), data.Y[i]);
        Assert.Equal([d], data.InputShape);
        Assert.Contains("seed=42", data.Source);
    }

    [Fact]
    public void SameSeedSameDataOtherSeedOtherData()
    {
        var a = SyntheticData.UnitSphere(4, 6, 1);
        Assert.Equal(a.X.Data, SyntheticData.UnitSphere(4, 6, 1).X.Data);
        Assert.NotEqual(a.X.Data, SyntheticData.UnitSphere(4, 6, 2).X.Data);
    }

    [Fact]
    public void ConvUnitSphereHasUnitFrobeniusNormAndShape()
    {
        var data = SyntheticData.ConvUnitSphere(3, 2, 4, seed: 9);
        Assert.Equal([2, 4], data.InputShape);
        Assert.Equal(8, data.Features);
        for (int i = 0; i < 3; i++)
            Assert.Equal(1.0, Math.Sqrt(data.X.Row(i).ToArray().Sum(v => v * v)), 1e-14);
        // Same stream as the flat generator with d = d0·p.
        Assert.Equal(SyntheticData.UnitSphere(3, 8, 9).X.Data, data.X.Data);
    }

    [Fact]
    public void WithLabelsReplacesOnlyTheLabels()
    {
        var data = SyntheticData.UnitSphere(3, 2, 5);
        var t = data.WithLabels([1, -1, 0.5]);
        Assert.Equal([1, -1, 0.5], t.Y);
        Assert.Same(data.X, t.X);
        Assert.Throws<ArgumentException>(() => data.WithLabels([1]));
    }
}
