using Overparam.Training;

namespace Overparam.Experiments.Sweeps.CriticalWidth;

/// <summary>One (architecture, depth, n, activation) whose critical width is sought.</summary>
public sealed record CriticalWidthQuery(string Architecture, int Depth, int N, string Activation);

/// <summary>One width tried: how many of its seeds reached the target loss.</summary>
public sealed record WidthEvaluation(int Width, int Converged, int Seeds);

/// <summary>The result for one query: m* (null when above the maximum), how the search ended, and every width tried.</summary>
public sealed record CriticalWidthResult(CriticalWidthQuery Query, int? MStar, BisectionStatus Status, IReadOnlyList<WidthEvaluation> Evaluations);

/// <summary>
/// Critical width m*: the smallest width at which gradient descent reaches the target loss within the step budget for
/// at least ⌈F·K⌉ of the K seeds (<see cref="WidthBisection"/>). Bisection assumes success is monotone in m; the search
/// stops instead, with <see cref="BisectionStatus.NonMonotone"/>, when a wider network has at least max(2, ⌈K/2⌉) fewer
/// converged seeds than a narrower one (a fixed step budget or step size that does not suit every width does this; a
/// drop of one seed is left to chance). Each (width, seed) run is a cell recorded in the folder's result store under its
/// key, so a rerun (or a wider search) reuses every evaluation already done. A run that diverges or exhausts its budget
/// has not converged; a run that fails (an error) is not judged at all: the search stops with a
/// <see cref="RunFailedException"/>, and a rerun tries the failed runs again.
/// </summary>
/// <param name="template">Every field but architecture, depth, n, activation, width and seed (target loss, steps, d, lr policy, train, …).</param>
/// <param name="seeds">Seeds 1 … K per width.</param>
/// <param name="fraction">Success when converged seeds ≥ fraction·K.</param>
public sealed class CriticalWidthSearch(RunSpec template, int seeds, double fraction, int minWidth, int maxWidth,
    ResultStore store, ICellExecutor executor, Action<string>? log = null)
{
    /// <summary>Converged seeds a width needs: ⌈F·K⌉.</summary>
    public int Required => (int)Math.Ceiling(fraction * seeds - 1e-9);

    public CriticalWidthResult Find(CriticalWidthQuery q, CancellationToken cancel = default)
    {
        var evaluations = new List<WidthEvaluation>();
        var (mStar, status) = WidthBisection.Find(width =>
        {
            cancel.ThrowIfCancellationRequested();
            var e = Evaluate(q, width, cancel);
            evaluations.Add(e);
            bool ok = e.Converged >= Required;
            string head = $"{q.Architecture} H={q.Depth} n={q.N} {q.Activation}: m={width}: {e.Converged}/{e.Seeds} seeds converged";
            if (Contradiction(evaluations, e) is { } narrower)
            {
                log?.Invoke($"{head}, but {narrower.Converged}/{narrower.Seeds} at m={narrower.Width}: success is not monotone in m here, so the search stops " +
                            "(the step budget or step size does not suit every width: raise --steps, or use an activation that GD fits faster such as tanh)");
                return null;
            }
            log?.Invoke($"{head} -> {(ok ? "ok" : "fails")} (needs {Required})");
            return ok;
        }, minWidth, maxWidth);
        return new CriticalWidthResult(q, mStar, status, evaluations);
    }

    /// <summary>A narrower width with at least max(2, ⌈K/2⌉) more converged seeds than <paramref name="e"/>, if any.</summary>
    private static WidthEvaluation? Contradiction(IEnumerable<WidthEvaluation> tried, WidthEvaluation e) =>
        tried.Where(t => t.Width < e.Width && t.Converged - e.Converged >= Math.Max(2, Math.Ceiling(e.Seeds / 2.0))).MaxBy(t => t.Converged);

    /// <summary>The spec of one (query, width, seed) run.</summary>
    public RunSpec Cell(CriticalWidthQuery q, int width, int seed) => template with
    {
        Architecture = q.Architecture, Depth = q.Depth, N = q.N, Activation = q.Activation, Width = width, Seed = (ulong)seed,
    };

    private WidthEvaluation Evaluate(CriticalWidthQuery q, int width, CancellationToken cancel)
    {
        var cells = Enumerable.Range(1, seeds).Select(s => SweepCell.Create(s - 1, Cell(q, width, s))).ToArray();
        var recorded = cells.Select(c => store.Get(c.Key)).OfType<CellRecord>().ToList();
        var done = recorded.Where(r => r.Status != TrainingStatus.Failed).ToDictionary(r => r.Key);
        var retried = recorded.Where(r => r.Status == TrainingStatus.Failed).Select(r => r.Key).ToHashSet();
        var pending = cells.Where(c => !done.ContainsKey(c.Key)).ToArray();
        var gate = new Lock();
        executor.Run(pending, (cell, outcome, worker) =>
        {
            if (outcome.Status == TrainingStatus.Stopped) return;
            log?.Invoke($"  m={width} seed {cell.Spec.Seed}: {TrainingStatusText.Name(outcome.Status)} after {outcome.Steps} steps, loss {outcome.FinalLoss:G3} ({outcome.Seconds:F1} s)");
            var record = CellRecord.From(cell, outcome, worker);
            lock (gate)
            {
                store.Add(record, replace: retried.Contains(record.Key));
                done[record.Key] = record;
            }
        }, cancel);
        cancel.ThrowIfCancellationRequested();
        for (int s = 1; s <= seeds; s++)
            if (done.TryGetValue(cells[s - 1].Key, out var r) && r.Status == TrainingStatus.Failed)
            {
                const string badInput = "bad input: ";
                string reason = r.Reason ?? "no message";
                bool bad = reason.StartsWith(badInput, StringComparison.Ordinal);
                throw new RunFailedException($"the run {q.Architecture} H={q.Depth} n={q.N} {q.Activation} m={width} seed {s} failed: {(bad ? reason[badInput.Length..] : reason)}", bad);
            }
        return new WidthEvaluation(width, done.Values.Count(r => r.Status == TrainingStatus.Converged), seeds);
    }
}
