using Overparam.Data;
using Overparam.Numerics;

namespace Overparam.Tests.Data;

public class DatasetTests
{
    private static Dataset Make(params double[][] rows)
    {
        int d = rows[0].Length;
        var x = new Matrix<double>(rows.Length, d, rows.SelectMany(r => r).ToArray());
        return new Dataset(x, new double[rows.Length], [d], "test");
    }

    [Fact]
    public void NormalizedDividesEachRowByItsNorm()
    {
        var data = Make([3, 4], [0, -2], [1, 1]);
        var n = data.Normalized();
        Assert.Equal(new[] { 0.6, 0.8, 0, -1, Math.Sqrt(0.5), Math.Sqrt(0.5) }, n.X.Data, new ToleranceComparer(1e-15));
        Assert.Equal(3.0, data.X[0, 0]); // original untouched
        Assert.Equal([2], n.InputShape);
    }

    [Fact]
    public void NormalizedConvInputHasUnitFrobeniusNorm()
    {
        // x ∈ R^{2×2} = [[1, 2], [2, 4]]: Frobenius norm 5.
        var x = new Matrix<double>(2, 4, [1, 2, 2, 4, 0, 0, 0, 3]);
        var n = new Dataset(x, [1, 2], [2, 2], "conv").Normalized();
        Assert.Equal(new[] { 0.2, 0.4, 0.4, 0.8, 0, 0, 0, 1 }, n.X.Data, new ToleranceComparer(1e-15));
        Assert.Equal([2, 2], n.InputShape);
        Assert.Equal([1.0, 2.0], n.Y);
    }

    [Fact]
    public void NormalizedRejectsZeroRowNamingIt()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Make([1, 0], [0, 0]).Normalized());
        Assert.Contains("input 2", e.Message);
    }

    [Fact]
    public void ConstructorChecksShapes()
    {
        var x = new Matrix<double>(2, 4);
        Assert.Throws<ArgumentException>(() => new Dataset(x, [1.0], [4], "s"));
        Assert.Throws<ArgumentException>(() => new Dataset(x, [1.0, 2], [3], "s"));
        Assert.Throws<ArgumentException>(() => new Dataset(x, [1.0, 2], [2, 3], "s"));
        Assert.Equal(4, new Dataset(x, [1.0, 2], [2, 2], "s").Features);
    }

    [Fact]
    public void SmallestPairwiseAngleUsesAbsoluteCosine()
    {
        // Directions 0, 0.3 and π − 0.2. Plain angles: 0.3, π − 0.2, π − 0.5; with |cos| the last two are 0.2 and 0.5.
        var data = Make([1, 0], [Math.Cos(0.3) * 2, Math.Sin(0.3) * 2], [-Math.Cos(0.2), Math.Sin(0.2)]);
        Assert.Equal(0.2, data.SmallestPairwiseAngle(), 1e-12);
        var (i, j, cos, _) = data.ClosestPair();
        Assert.Equal((0, 2), (i, j));
        Assert.Equal(-Math.Cos(0.2), cos, 1e-15);
    }

    [Fact]
    public void SmallestPairwiseAngleSkipsZeroRowsAndIsNaNForOneRow()
    {
        Assert.Equal(Math.PI / 2, Make([1, 0], [0, 0], [0, 5]).SmallestPairwiseAngle(), 1e-15);
        Assert.True(double.IsNaN(Make([1, 0]).SmallestPairwiseAngle()));
    }

    [Fact]
    public void CheckIsEmptyForGoodUnitData()
    {
        var s = Math.Sqrt(0.5);
        Assert.Empty(Make([1, 0], [0, 1], [s, s]).Check());
    }

    [Fact]
    public void CheckNamesParallelAndDuplicateInputs()
    {
        var s = Math.Sqrt(0.5);
        // 1 and 3 duplicates, 2 and 4 opposite (x and −x).
        var w = Make([1, 0, 0], [0, s, s], [1, 0, 0], [0, -s, -s]).Check();
        Assert.Equal(2, w.Count);
        Assert.Equal("inputs 1 and 3 are parallel (cos = 1): λ₀ will be 0 and the theorems do not apply", w[0]);
        Assert.StartsWith("inputs 2 and 4 are parallel (cos = -1", w[1]);
    }

    [Fact]
    public void CheckReportsNearlyParallelZeroAndNonUnitInputs()
    {
        var w = Make([1, 0], [Math.Cos(1e-5), Math.Sin(1e-5)], [0, 0], [0, 2]).Check();
        Assert.Contains("input 3 is all zeros; it cannot be normalized", w);
        Assert.Contains(w, m => m.StartsWith("1 of 4 inputs are not unit norm (input 4 has norm 2)"));
        Assert.Contains(w, m => m.StartsWith("inputs 1 and 2 are nearly parallel (angle = 1e-05 rad"));
        Assert.DoesNotContain(w, m => m.Contains("are parallel"));
    }

    [Fact]
    public void LargeDataUsesGemmAndAgreesWithBruteForce()
    {
        // 60 × 20: 72,000 multiply-adds, above the GEMM threshold.
        var data = SyntheticData.UnitSphere(60, 20, seed: 7);
        double best = double.PositiveInfinity;
        for (int i = 0; i < 60; i++)
            for (int j = i + 1; j < 60; j++)
            {
                double dot = 0;
                for (int k = 0; k < 20; k++) dot += data.X[i, k] * data.X[j, k];
                best = Math.Min(best, Math.Acos(Math.Min(1, Math.Abs(dot))));
            }
        Assert.Equal(best, data.SmallestPairwiseAngle(), 1e-12);
        Assert.Empty(data.Check());

        // Make sample 50 a copy of sample 9 scaled by −3.
        var x = data.X.Clone();
        for (int k = 0; k < 20; k++) x[49, k] = -3 * x[8, k];
        var w = new Dataset(x, data.Y, [20], "copy").Check();
        Assert.Contains(w, m => m.StartsWith("inputs 9 and 50 are parallel (cos = -1"));
    }
}

/// <summary>Element-wise |a − b| ≤ tolerance.</summary>
public sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
{
    public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;
    public int GetHashCode(double v) => 0;
}
