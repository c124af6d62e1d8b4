namespace Overparam.Reports;

/// <summary>
/// Spearman's rank correlation ρ of paired values: the Pearson correlation of their ranks, tied values sharing the mean
/// of their ranks (so ρ = 1 − 6Σd²/(n(n² − 1)) when there are no ties). NaN for fewer than two pairs or when either side
/// is constant.
/// </summary>
public static class RankCorrelation
{
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"Spearman: {x.Count} x values but {y.Count} y values");
        if (x.Count < 2) return double.NaN;
        return Pearson(Ranks(x), Ranks(y));
    }

    /// <summary>Ranks 1 … n, ties averaged.</summary>
    public static double[] Ranks(IReadOnlyList<double> v)
    {
        var order = Enumerable.Range(0, v.Count).OrderBy(i => v[i]).ToArray();
        var ranks = new double[v.Count];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && v[order[end + 1]] == v[order[start]]) end++;
            double rank = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) ranks[order[k]] = rank;
            start = end + 1;
        }
        return ranks;
    }

    private static double Pearson(double[] a, double[] b)
    {
        double ma = a.Average(), mb = b.Average(), sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return saa == 0 || sbb == 0 ? double.NaN : sab / Math.Sqrt(saa * sbb);
    }
}
