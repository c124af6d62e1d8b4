using Overparam.Training;

namespace Overparam.Experiments.Sweeps;

/// <summary>Counts of one invocation of a sweep.</summary>
/// <param name="Total">Cells in the shard.</param>
/// <param name="Skipped">Already recorded before this run.</param>
/// <param name="Ran">Recorded by this run.</param>
/// <param name="Failed">Of those, how many ended "failed".</param>
/// <param name="Remaining">Cells of the shard still unrecorded (after an interruption).</param>
public sealed record SweepSummary(int Total, int Skipped, int Ran, int Failed, int Remaining);

/// <summary>
/// Runs the cells of a sweep (or of one shard) that its folder's store does not hold yet, recording each as it
/// finishes; re-running the same command picks up where an interrupted one stopped. Stopped (cancelled) runs are not
/// recorded; failed and diverged runs are, with their reason, and do not stop the sweep.
/// </summary>
public static class SweepRunner
{
    /// <param name="onRecorded">Called after each record is written, with the record and the count done so far (this run).</param>
    /// <param name="retryFailed">Also redo cells recorded as failed (replacing their record).</param>
    public static SweepSummary Run(SweepSpec spec, string directory, ICellExecutor executor, Shard shard,
        Action<CellRecord, int, int>? onRecorded = null, bool retryFailed = false, CancellationToken cancel = default)
    {
        var cells = spec.Resolve();
        string hash = CellIdentity.Hash(string.Join("\n", cells.Select(c => c.Key)));
        using var store = SweepFolder.OpenFor(directory, spec, hash);
        SweepFolder.AddShard(store, shard);

        var mine = shard.Select(cells);
        var recorded = store.All().ToDictionary(r => r.Key);
        var pending = mine.Where(c => !recorded.TryGetValue(c.Key, out var r) || retryFailed && r.Status == TrainingStatus.Failed).ToList();

        int ran = 0, failed = 0;
        var gate = new Lock();
        executor.Run(pending, (cell, outcome, worker) =>
        {
            if (outcome.Status == TrainingStatus.Stopped) return;   // interrupted: redone next time
            var record = CellRecord.From(cell, outcome, worker);
            lock (gate)
            {
                store.Add(record, replace: retryFailed);
                ran++;
                if (record.Status == TrainingStatus.Failed) failed++;
                onRecorded?.Invoke(record, ran, pending.Count);
            }
        }, cancel);

        var keys = store.Keys();
        return new SweepSummary(mine.Count, mine.Count - pending.Count, ran, failed, mine.Count(c => !keys.Contains(c.Key)));
    }
}
