using System.Globalization;
using Overparam.Numerics;

namespace Overparam.Data;

/// <summary>
/// A seeded split of one data set into a training and a test set (<c>--test-fraction f</c>). Algorithm, for an
/// independent implementation: a Fisher–Yates shuffle of the row indices 0 … n−1 with xoshiro256**
/// (<see cref="GaussianRng"/> from the seed; for i = n−1 down to 1, j = NextUInt64() mod (i + 1), swap entries i and j;
/// the modulo's bias is below (i + 1)/2⁶⁴), then the first n − k indices of the permutation are the training set
/// and the last k = ⌈f·n⌉ the test set, each in the permuted order.
/// </summary>
public static class RandomSplit
{
    /// <summary>The Fisher–Yates permutation of 0 … n−1 for <paramref name="seed"/>.</summary>
    public static int[] Permutation(int n, ulong seed)
    {
        var rng = new GaussianRng(seed);
        var p = Enumerable.Range(0, n).ToArray();
        for (int i = n - 1; i > 0; i--)
        {
            int j = (int)(rng.NextUInt64() % (ulong)(i + 1));
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }

    /// <summary>
    /// k = ⌈f·n⌉, with f·n computed in decimal arithmetic from f's shortest round-trip decimal form (so 0.1·30 is 3, not
    /// the 3.0000000000000004 of binary floating point).
    /// </summary>
    public static int TestCount(int n, double fraction)
    {
        if (!(fraction > 0 && fraction < 1)) throw new ArgumentOutOfRangeException(nameof(fraction), $"test fraction {fraction}: must be in (0, 1)");
        return (int)Math.Ceiling(decimal.Parse(fraction.ToString("R", CultureInfo.InvariantCulture),
            NumberStyles.Float, CultureInfo.InvariantCulture) * n);
    }

    /// <summary>Splits <paramref name="data"/>: (training set, test set) as described on the class.</summary>
    public static (Dataset Train, Dataset Test) Split(Dataset data, double fraction, ulong seed)
    {
        int n = data.Count, k = TestCount(n, fraction);
        if (k >= n) throw new ArgumentException($"test fraction {fraction} of {n} samples leaves no training sample", nameof(fraction));
        var p = Permutation(n, seed);
        return (data.Subset(p[..(n - k)], $"{data.Source}, training part of a --test-fraction {fraction} split (seed {seed})"),
                data.Subset(p[(n - k)..], $"{data.Source}, test part ({k} samples) of a --test-fraction {fraction} split (seed {seed})"));
    }
}
