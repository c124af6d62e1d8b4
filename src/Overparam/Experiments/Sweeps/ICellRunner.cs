namespace Overparam.Experiments.Sweeps;

/// <summary>Runs one cell of a sweep (one training run) and says how it ended. Implementations must not throw for a
/// bad cell: a failure is an outcome with status "failed" and a message.</summary>
public interface ICellRunner
{
    RunOutcome Run(RunSpec spec, CancellationToken cancel);
}
