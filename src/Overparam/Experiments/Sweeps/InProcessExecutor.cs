namespace Overparam.Experiments.Sweeps;

/// <summary>Runs cells one after another in this process (the thread budget is the process's: --threads).</summary>
public sealed class InProcessExecutor(ICellRunner runner) : ICellExecutor
{
    public void Run(IReadOnlyList<SweepCell> cells, CellFinished finished, CancellationToken cancel)
    {
        string worker = $"pid:{Environment.ProcessId}";
        foreach (var cell in cells)
        {
            if (cancel.IsCancellationRequested) return;
            finished(cell, CellOutcomes.SafeRun(runner, cell.Spec, cancel), worker);
        }
    }
}
