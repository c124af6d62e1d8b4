namespace Overparam.Experiments.Sweeps.CriticalWidth;

/// <summary>How a critical-width search ended.</summary>
public enum BisectionStatus
{
    /// <summary>m* found: the smallest integer width that succeeds, its predecessor having failed.</summary>
    Found,
    /// <summary>The minimum width already succeeds: m* ≤ min.</summary>
    AtMinimum,
    /// <summary>Even the maximum width fails: m* &gt; max.</summary>
    AboveMaximum,
    /// <summary>The search stopped: a wider network did worse than a narrower one, so success is not monotone in m and bisection would mislead.</summary>
    NonMonotone,
}

/// <summary>
/// The smallest integer width m in [min, max] with ok(m), assuming ok is monotone in m: bracketing by doubling from
/// min (min, 2·min, 4·min, … capped at max), then bisection on log-width (the geometric midpoint, rounded) until the
/// failing and succeeding widths are adjacent integers. Each width is evaluated at most once. The test of a width returns
/// null when the evidence so far contradicts monotonicity; the search then stops with <see cref="BisectionStatus.NonMonotone"/>.
/// </summary>
public static class WidthBisection
{
    public static (int? MStar, BisectionStatus Status) Find(Func<int, bool?> ok, int min, int max)
    {
        if (min < 1 || max < min) throw new ArgumentException($"need 1 ≤ min ≤ max, got min {min}, max {max}");
        switch (ok(min))
        {
            case null: return (null, BisectionStatus.NonMonotone);
            case true: return (min, BisectionStatus.AtMinimum);
        }
        int lo = min, hi;
        while (true)
        {
            hi = (int)Math.Min((long)lo * 2, max);
            bool? atHi = ok(hi);
            if (atHi is null) return (null, BisectionStatus.NonMonotone);
            if (atHi.Value) break;
            if (hi == max) return (null, BisectionStatus.AboveMaximum);
            lo = hi;
        }
        while (hi - lo > 1)   // invariant: ok(lo) false, ok(hi) true
        {
            int mid = Math.Clamp((int)Math.Round(Math.Sqrt((double)lo * hi)), lo + 1, hi - 1);
            bool? atMid = ok(mid);
            if (atMid is null) return (null, BisectionStatus.NonMonotone);
            if (atMid.Value) hi = mid; else lo = mid;
        }
        return (hi, BisectionStatus.Found);
    }
}
