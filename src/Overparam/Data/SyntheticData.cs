using Overparam.Numerics;

namespace Overparam.Data;

/// <summary>
/// Random data on the unit sphere, reproducible from a seed.
/// Order of draws from one <see cref="GaussianRng"/> stream: first the n inputs, row by row
/// (x_1's features in order, then x_2's, ...), each a vector of independent N(0, 1) draws scaled to unit norm;
/// then the n labels y_1..y_n, each N(0, 1). So the inputs do not depend on whether the labels are used,
/// and labels from elsewhere (a teacher network) can replace them with <see cref="Dataset.WithLabels"/>.
/// </summary>
public static class SyntheticData
{
    /// <summary>n inputs uniform on the unit sphere S^{d−1} (normalized Gaussian vectors), InputShape [d].</summary>
    public static Dataset UnitSphere(int n, int d, ulong seed)
    {
        if (d < 1) throw new ArgumentOutOfRangeException(nameof(d), $"d = {d}: need at least one feature");
        return Draw(n, [d], seed, $"synthetic: unit sphere, n={n}, d={d}, seed={seed}");
    }

    /// <summary>
    /// n conv inputs x_i ∈ R^{d0×p}, uniform on the unit Frobenius sphere, InputShape [d0, p]
    /// (channel-major: channel c, position l is feature c·p + l).
    /// </summary>
    public static Dataset ConvUnitSphere(int n, int d0, int p, ulong seed)
    {
        if (d0 < 1) throw new ArgumentOutOfRangeException(nameof(d0), $"d0 = {d0}: need at least one channel");
        if (p < 1) throw new ArgumentOutOfRangeException(nameof(p), $"p = {p}: need at least one position");
        return Draw(n, [d0, p], seed, $"synthetic: unit Frobenius sphere, n={n}, d0={d0}, p={p}, seed={seed}");
    }

    /// <summary>
    /// The seed of a synthetic data set's fresh test sample: <paramref name="seed"/> ^ 0x7E575EED, so the test sample is
    /// independent of the training sample and the same whatever the training set's size.
    /// </summary>
    public static ulong TestSeed(ulong seed) => seed ^ 0x7E575EEDUL;

    private static Dataset Draw(int n, int[] shape, ulong seed, string source)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), $"n = {n}: need at least one sample");
        int features = checked(shape.Aggregate(1, (a, b) => a * b));
        var rng = new GaussianRng(seed);
        var x = new Matrix<double>(n, features);
        for (int i = 0; i < n; i++)
        {
            var row = x.Row(i);
            rng.FillGaussian(row);
            double norm = System.Numerics.Tensors.TensorPrimitives.Norm((ReadOnlySpan<double>)row);
            for (int j = 0; j < features; j++) row[j] /= norm;
        }
        var y = new double[n];
        rng.FillGaussian(y);
        return new Dataset(x, y, shape, source);
    }
}
