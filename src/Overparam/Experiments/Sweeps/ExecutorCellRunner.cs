using Overparam.Training;

namespace Overparam.Experiments.Sweeps;

/// <summary>
/// The real cell runner: <see cref="RunExecutor.Execute(RunSpec, string?, IProgress{RunProgress}?, CancellationToken, TextWriter?, bool)"/>.
/// With <paramref name="runsDirectory"/>, each cell also writes its full run folder to <c>runsDirectory/KEY</c>
/// (a partial folder left by an interrupted run is replaced).
/// </summary>
public sealed class ExecutorCellRunner(string? runsDirectory = null, TextWriter? warningsTo = null) : ICellRunner
{
    public RunOutcome Run(RunSpec spec, CancellationToken cancel)
    {
        string? dir = null;
        if (runsDirectory is not null)
        {
            dir = Path.Combine(runsDirectory, CellIdentity.Key(spec));
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
        try
        {
            return RunExecutor.Execute(spec, dir, null, cancel, warningsTo);
        }
        catch (RunSpecException e)
        {
            return CellOutcomes.Failed(TrainingStatus.Failed, "bad input: " + e.Message);
        }
    }
}
