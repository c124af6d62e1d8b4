using Overparam.Training;

namespace Overparam.Experiments.Sweeps;

/// <summary>Called once per finished cell, possibly from several threads at once.</summary>
/// <param name="worker">Who ran it: "pid:1234" (in-process) or "worker-2:pid:1240".</param>
public delegate void CellFinished(SweepCell cell, RunOutcome outcome, string worker);

/// <summary>Runs a batch of cells — in this process or in worker processes — reporting each as it finishes.</summary>
public interface ICellExecutor
{
    /// <summary>Runs every cell unless cancelled; cells not started when <paramref name="cancel"/> fires are not reported.</summary>
    /// <param name="claim">Asked just before a cell starts; a cell it refuses (another process has it) is skipped, unreported.</param>
    void Run(IReadOnlyList<SweepCell> cells, CellFinished finished, CancellationToken cancel, Func<SweepCell, bool>? claim = null);
}

/// <summary>Helpers shared by the executors.</summary>
public static class CellOutcomes
{
    /// <summary>Runs the cell, turning an exception into a "failed" outcome with its message.</summary>
    public static RunOutcome SafeRun(ICellRunner runner, RunSpec spec, CancellationToken cancel)
    {
        try { return runner.Run(spec, cancel); }
        catch (OperationCanceledException) { return Failed(TrainingStatus.Stopped, "cancelled"); }
        catch (Exception e) { return Failed(TrainingStatus.Failed, $"{e.GetType().Name}: {e.Message}"); }
    }

    public static RunOutcome Failed(TrainingStatus status, string message) =>
        new(status, 0, double.NaN, double.NaN, 0, double.NaN, null, new Dictionary<string, double>(), message);
}
