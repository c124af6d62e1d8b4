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
}

/// <summary>
/// The smallest integer width m in [min, max] with ok(m), assuming ok is monotone in m: bracketing by doubling from
/// min (min, 2·min, 4·min, … capped at max), then bisection on log-width (the geometric midpoint, rounded) until the
/// failing and succeeding widths are adjacent integers. Each width is evaluated at most once.
/// </summary>
public static class WidthBisection
{
    public static (int? MStar, BisectionStatus Status) Find(Func<int, bool> ok, int min, int max)
    {
        if (min < 1 || max < min) throw new ArgumentException($"need 1 ≤ min ≤ max, got min {min}, max {max}");
        if (ok(min)) return (min, BisectionStatus.AtMinimum);
        int lo = min, hi;
        while (true)
        {
            hi = (int)Math.Min((long)lo * 2, max);
            if (ok(hi)) break;
            if (hi == max) return (null, BisectionStatus.AboveMaximum);
            lo = hi;
        }
        while (hi - lo > 1)   // invariant: ok(lo) false, ok(hi) true
        {
            int mid = Math.Clamp((int)Math.Round(Math.Sqrt((double)lo * hi)), lo + 1, hi - 1);
            if (ok(mid)) hi = mid; else lo = mid;
        }
        return (hi, BisectionStatus.Found);
    }
}
