using System.Globalization;

namespace Overparam.Experiments.Sweeps;

/// <summary>
/// Shard i of N (0-based): the cells whose index in the sweep's deterministic order is ≡ i (mod N). The N shards are
/// disjoint and cover every cell, so a Slurm job array of N tasks runs the whole sweep.
/// </summary>
public sealed record Shard(int Index, int Count)
{
    public static readonly Shard All = new(0, 1);

    public bool IsAll => Count == 1;

    public bool Contains(int cellIndex) => cellIndex % Count == Index;

    public IReadOnlyList<SweepCell> Select(IReadOnlyList<SweepCell> cells) => cells.Where(c => Contains(c.Index)).ToArray();

    public override string ToString() => $"{Index}/{Count}";

    /// <summary>Parses "i/N" with 0 ≤ i &lt; N; null with a message otherwise.</summary>
    public static Shard? TryParse(string text, out string? error)
    {
        error = null;
        var parts = text.Split('/');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int i)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            && n >= 1 && i < n)
            return new Shard(i, n);
        error = $"--shard \"{text}\": expected i/N with 0 ≤ i < N, e.g. 0/4";
        return null;
    }

    /// <summary>
    /// The shard of a Slurm array task, from SLURM_ARRAY_TASK_ID, _MIN, _MAX, _STEP and _COUNT when the task id and
    /// count are set, else null. An array min-max:step of N tasks maps task id to shard (id − min)/step of N, so
    /// <c>--array=0-7</c>, <c>1-8</c> and <c>0-14:2</c> each run shards 0/8 … 7/8. A listed array (<c>--array=1,3,7</c>,
    /// where Slurm reports step 1 but the ids are not min, min+1, …) cannot be mapped: it adds a message naming
    /// <c>--shard</c> to <paramref name="errors"/> and returns null.
    /// </summary>
    public static Shard? FromEnvironment(Func<string, string?>? getenv = null, List<string>? errors = null)
    {
        getenv ??= Environment.GetEnvironmentVariable;
        string? id = getenv("SLURM_ARRAY_TASK_ID"), count = getenv("SLURM_ARRAY_TASK_COUNT");
        if (id is null || count is null) return null;
        string? min = getenv("SLURM_ARRAY_TASK_MIN"), max = getenv("SLURM_ARRAY_TASK_MAX"), step = getenv("SLURM_ARRAY_TASK_STEP");
        string seen = $"SLURM_ARRAY_TASK_ID={id}, _MIN={min ?? "(unset)"}, _MAX={max ?? "(unset)"}, _STEP={step ?? "(unset)"}, _COUNT={count}";
        if (!Integer(id, out int i) || !Integer(count, out int n) || n < 1
            || !Integer(min ?? "0", out int lo) || !Integer(step ?? "1", out int s) || s < 1
            || (max is not null && !Integer(max, out _)))
        {
            errors?.Add($"{seen}: not a Slurm array task this can read; give --shard i/N");
            return null;
        }
        long last = lo + (long)(n - 1) * s;
        if ((max is not null && Integer(max, out int hi) && hi != last) || i < lo || (i - lo) % s != 0 || (i - lo) / s >= n)
        {
            errors?.Add($"{seen}: the array is not min-max:step (a listed array such as --array=1,3,7?), so its tasks cannot be " +
                "mapped to shards; submit --array=0-(N-1) or give each task --shard i/N");
            return null;
        }
        return new Shard((i - lo) / s, n);
    }

    private static bool Integer(string text, out int value) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
}
