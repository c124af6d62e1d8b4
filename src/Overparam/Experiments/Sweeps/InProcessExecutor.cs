namespace Overparam.Experiments.Sweeps;

/// <summary>Runs cells one after another in this process (the thread budget is the process's: --threads).</summary>
public sealed class InProcessExecutor(ICellRunner runner) : ICellExecutor
{
    public void Run(IReadOnlyList<SweepCell> cells, CellFinished finished, CancellationToken cancel, Func<SweepCell, bool>? claim = null)
    {
        string worker = $"pid:{Environment.ProcessId}";
        foreach (var cell in cells)
        {
            if (cancel.IsCancellationRequested) return;
            if (claim is not null && !claim(cell)) continue;
            finished(cell, CellOutcomes.SafeRun(runner, cell.Spec, cancel), worker);
        }
    }
}
