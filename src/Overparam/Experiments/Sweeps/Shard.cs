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
    /// The shard from SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT when both are set (the task id taken relative to
    /// SLURM_ARRAY_TASK_MIN when that is set, so arrays numbered 1…N work), else null.
    /// </summary>
    public static Shard? FromEnvironment(Func<string, string?>? getenv = null, List<string>? errors = null)
    {
        getenv ??= Environment.GetEnvironmentVariable;
        string? id = getenv("SLURM_ARRAY_TASK_ID"), count = getenv("SLURM_ARRAY_TASK_COUNT"), min = getenv("SLURM_ARRAY_TASK_MIN");
        if (id is null || count is null) return null;
        if (int.TryParse(id, out int i) && int.TryParse(count, out int n) && n >= 1)
        {
            int offset = int.TryParse(min, out int m) ? m : 0;
            if (i - offset >= 0 && i - offset < n) return new Shard(i - offset, n);
        }
        errors?.Add($"SLURM_ARRAY_TASK_ID={id}, SLURM_ARRAY_TASK_COUNT={count}, SLURM_ARRAY_TASK_MIN={min ?? "(unset)"} do not give a shard i/N with 0 ≤ i < N");
        return null;
    }
}
