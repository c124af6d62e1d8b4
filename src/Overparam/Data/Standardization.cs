using Overparam.Numerics;

namespace Overparam.Data;

/// <summary>
/// Per-feature standardization (<c>--standardize</c>): x_j ↦ (x_j − mean_j) / std_j with the mean and the population
/// standard deviation (divided by n) of feature j over the training set, applied unchanged to the training and the
/// test set. A feature that is constant over the training set (std 0, e.g. an image corner that is always black) is
/// only centred. Labels are unchanged. A fixed invertible affine map, so it does not change a data set's Bayes error.
/// </summary>
public sealed class Standardization
{
    /// <summary>mean_j over the training set.</summary>
    public double[] Means { get; }

    /// <summary>std_j over the training set (÷ n); 0 for a constant feature.</summary>
    public double[] Stds { get; }

    private Standardization(double[] means, double[] stds) { Means = means; Stds = stds; }

    /// <summary>How many features are constant over the training set (and only centred).</summary>
    public int ConstantFeatures => Stds.Count(s => s == 0);

    /// <summary>The statistics of <paramref name="train"/> (two passes: the mean, then the squared deviations).</summary>
    public static Standardization Fit(Dataset train)
    {
        int n = train.Count, d = train.Features;
        ReadOnlySpan<double> first = train.X.Row(0);
        var means = new double[d];
        var constant = Enumerable.Repeat(true, d).ToArray();
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<double> row = train.X.Row(i);
            for (int j = 0; j < d; j++) { means[j] += row[j]; constant[j] &= row[j] == first[j]; }
        }
        // A constant feature's mean is its value exactly, so that it becomes exactly 0.
        for (int j = 0; j < d; j++) means[j] = constant[j] ? first[j] : means[j] / n;
        var stds = new double[d];
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<double> row = train.X.Row(i);
            for (int j = 0; j < d; j++) stds[j] += (row[j] - means[j]) * (row[j] - means[j]);
        }
        for (int j = 0; j < d; j++) stds[j] = constant[j] ? 0 : Math.Sqrt(stds[j] / n);
        return new Standardization(means, stds);
    }

    /// <summary>A copy of <paramref name="data"/> with every feature standardized by the training statistics.</summary>
    public Dataset Apply(Dataset data)
    {
        if (data.Features != Means.Length)
            throw new ArgumentException($"{data.Features} features, the statistics are for {Means.Length}", nameof(data));
        var x = new Matrix<double>(data.Count, data.Features);
        for (int i = 0; i < data.Count; i++)
        {
            ReadOnlySpan<double> from = data.X.Row(i);
            var to = x.Row(i);
            for (int j = 0; j < to.Length; j++)
                to[j] = Stds[j] == 0 ? from[j] - Means[j] : (from[j] - Means[j]) / Stds[j];
        }
        return new Dataset(x, (double[])data.Y.Clone(), data.InputShape, data.Source);
    }

    /// <summary>What was applied, for config.json.</summary>
    public string Description => "inputs standardized per feature with the training set's mean and standard deviation (divided by n)"
        + (ConstantFeatures == 0 ? "" : $"; {ConstantFeatures} of {Means.Length} features are constant over the training set and are only centred");
}
