using Overparam.Training;

namespace Overparam.Experiments.Sweeps;

/// <summary>Counts of one invocation of a sweep.</summary>
/// <param name="Total">Cells in the shard.</param>
/// <param name="Skipped">Already recorded before this run (here, or by another host into the same folder).</param>
/// <param name="Ran">Recorded by this run.</param>
/// <param name="Failed">Of those, how many ended "failed".</param>
/// <param name="Remaining">Cells of the shard still unrecorded (after an interruption).</param>
/// <param name="ByOthers">Cells other processes sharing the folder recorded while this one ran.</param>
public sealed record SweepSummary(int Total, int Skipped, int Ran, int Failed, int Remaining, int ByOthers = 0);

/// <summary>
/// Runs the cells of a sweep (or of one shard) that its folder does not hold yet, recording each as it finishes;
/// re-running the same command picks up where an interrupted one stopped. Each cell is claimed before it runs
/// (<see cref="CellClaims"/>), so processes sharing a folder split the cells; when only cells held by other live
/// processes are left, it waits, and takes over any whose owner's lease expires. Stopped (cancelled) runs are not
/// recorded (their claim is released); failed and diverged runs are, with their reason, and do not stop the sweep.
/// </summary>
public static class SweepRunner
{
    /// <param name="onRecorded">Called after each record is written, with the record and the count done so far (this run).</param>
    /// <param name="retryFailed">Also redo cells recorded as failed (replacing their record).</param>
    /// <param name="lease">How long a claim lasts without renewal (default <see cref="CellClaims.DefaultLease"/>).</param>
    public static SweepSummary Run(SweepSpec spec, string directory, ICellExecutor executor, Shard shard,
        Action<CellRecord, int, int>? onRecorded = null, bool retryFailed = false, CancellationToken cancel = default,
        TimeSpan? lease = null)
    {
        var cells = spec.Resolve();
        string hash = CellIdentity.Hash(string.Join("\n", cells.Select(c => c.Key)));
        string host = SweepFolder.Host;
        using var store = SweepFolder.OpenFor(SweepFolder.StoreDirectory(directory, host), spec, hash);
        SweepFolder.AddShard(store, shard);
        var leaseTime = lease ?? CellClaims.DefaultLease;
        using var claims = new CellClaims(directory, leaseTime, host);

        var mine = shard.Select(cells);
        var gate = new Lock();   // one thread at a time on the store's connection
        bool Redo(SweepCell c)
        {
            var r = store.Get(c.Key);
            return r is null || retryFailed && r.Status == TrainingStatus.Failed;
        }
        var recordedNow = new HashSet<string>();   // cells this run recorded (a failed cell is retried once)
        bool Open(SweepCell c)   // neither recorded here (nor to be redone) nor done by another process
        {
            if (recordedNow.Contains(c.Key)) return false;
            if (!Redo(c)) return false;
            return claims.State(c.Key) is not { Done: true } state || retryFailed && state.Status == "failed";
        }

        List<SweepCell> pending;
        lock (gate) pending = mine.Where(Open).ToList();
        int skipped = mine.Count - pending.Count, ran = 0, failed = 0, total = pending.Count;
        while (pending.Count > 0 && !cancel.IsCancellationRequested)
        {
            executor.Run(pending, (cell, outcome, worker) =>
            {
                if (outcome.Status == TrainingStatus.Stopped)   // interrupted: redone next time, by anyone
                {
                    claims.Release(cell.Key, null);
                    return;
                }
                var record = CellRecord.From(cell, outcome, worker);
                lock (gate)
                {
                    store.Add(record, replace: retryFailed);
                    claims.Release(cell.Key, TrainingStatusText.Name(record.Status));
                    recordedNow.Add(cell.Key);
                    ran++;
                    if (record.Status == TrainingStatus.Failed) failed++;
                    onRecorded?.Invoke(record, ran, total);
                }
            }, cancel, claim: cell =>
            {
                if (!claims.TryClaim(cell.Key, retryFailed)) return false;
                lock (gate)
                    if (recordedNow.Contains(cell.Key) || !Redo(cell))   // recorded between our look and our claim
                    {
                        claims.Release(cell.Key, store.Get(cell.Key) is { } r ? TrainingStatusText.Name(r.Status) : null);
                        return false;
                    }
                return true;
            });
            lock (gate) pending = pending.Where(Open).ToList();
            if (pending.Count > 0) cancel.WaitHandle.WaitOne(Poll(leaseTime));   // held by others: wait for them, or their expiry
        }

        int recordedHere;
        lock (gate) recordedHere = mine.Count(c => store.Get(c.Key) is not null);
        int doneElsewhere = mine.Count(c => store.Get(c.Key) is null && claims.State(c.Key) is { Done: true });
        return new SweepSummary(mine.Count, skipped, ran, failed, mine.Count - recordedHere - doneElsewhere,
            Math.Max(0, recordedHere + doneElsewhere - ran - skipped));
    }

    /// <summary>How often to look again at cells other processes hold: a quarter lease, between 0.2 s and 5 s.</summary>
    private static TimeSpan Poll(TimeSpan lease) =>
        TimeSpan.FromSeconds(Math.Clamp(lease.TotalSeconds / 4, 0.2, 5));
}
