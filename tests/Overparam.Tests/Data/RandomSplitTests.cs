using Overparam.Architectures;
using Overparam.Data;
using Overparam.Experiments;
using Overparam.Numerics;

namespace Overparam.Tests.Data;

public sealed class RandomSplitTests : IDisposable
{
    private readonly TempDirectory dir = new();
    public void Dispose() => dir.Dispose();

    [Theory]
    [InlineData(30, 0.1, 3)]
    [InlineData(10, 0.25, 3)]
    [InlineData(7, 0.5, 4)]
    [InlineData(100, 0.01, 1)]
    [InlineData(3, 0.999, 3)]
    public void TestCountIsTheCeilingOfFTimesN(int n, double f, int k) => Assert.Equal(k, RandomSplit.TestCount(n, f));

    [Fact]
    public void PermutationIsTheDocumentedFisherYates()
    {
        var rng = new GaussianRng(42);
        var expected = Enumerable.Range(0, 9).ToArray();
        for (int i = 8; i > 0; i--)
        {
            int j = (int)(rng.NextUInt64() % (ulong)(i + 1));
            (expected[i], expected[j]) = (expected[j], expected[i]);
        }
        Assert.Equal(expected, RandomSplit.Permutation(9, 42));
        Assert.Equal(Enumerable.Range(0, 1000), RandomSplit.Permutation(1000, 3).Order());
    }

    private string Rows(int n) =>
        dir.Write("rows.csv", string.Concat(Enumerable.Range(0, n).Select(i => $"{i + 1},{(i % 3) + 1},{i}\n")));

    [Fact]
    public void SplitIsSeededDisjointAndComplete()
    {
        var spec = new RunSpec { Data = "csv:" + Rows(20), TestFraction = 0.25, DataSeed = 9 };
        var fc = Architecture.Parse("fc");
        var data = RunData.LoadSplit(spec, fc, out _);
        Assert.Equal(15, data.Train.Count);
        Assert.Equal(5, data.Test!.Count);
        // The label is the row number: train and test are disjoint and together all rows.
        Assert.Empty(data.Train.Y.Intersect(data.Test.Y));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (double)i), data.Train.Y.Concat(data.Test.Y).Order());
        // The test set is the last ⌈f·n⌉ of the permutation for the data seed, in its order.
        var p = RandomSplit.Permutation(20, 9);
        Assert.Equal(p[15..].Select(i => (double)i), data.Test.Y);
        Assert.Equal(p[..15].Select(i => (double)i), data.Train.Y);

        Assert.Equal(data.Test.Y, RunData.LoadSplit(spec, fc, out _).Test!.Y);
        Assert.NotEqual(data.Test.Y, RunData.LoadSplit(spec with { DataSeed = 10 }, fc, out _).Test!.Y);
        Assert.Contains("test part (5 samples) of a --test-fraction 0.25 split (seed 9)", data.Test.Source);
    }

    [Fact]
    public void SplitMustLeaveTwoTrainingSamples()
    {
        var spec = new RunSpec { Data = "csv:" + Rows(4), TestFraction = 0.6 };
        var e = Assert.Throws<RunSpecException>(() => RunData.LoadSplit(spec, Architecture.Parse("fc"), out _));
        Assert.Contains("--test-fraction 0.6 of 4 samples leaves 1 for training", e.Message);
    }
}
