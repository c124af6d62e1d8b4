namespace Overparam.Training;

/// <summary>
/// Full-batch gradient descent with a constant step size η (spec §1). Stops when the loss reaches
/// <see cref="TargetLoss"/>, after <see cref="MaxSteps"/> updates, or on divergence (NaN/Inf or a loss above
/// <see cref="DivergenceFactor"/>·L(0)).
/// </summary>
/// <param name="Trained">Which parameters (W1 … WH, a, in order) are updated; null trains all, as the deep paper.</param>
public sealed record TrainingOptions(
    double LearningRate,
    int MaxSteps,
    double TargetLoss = 0,
    IReadOnlyList<bool>? Trained = null,
    double DivergenceFactor = 1e6);

/// <summary>How a run ended.</summary>
public enum TrainingStatus
{
    /// <summary>Still running (what summary.json says while a run is in progress).</summary>
    Running,
    /// <summary>The loss reached the target.</summary>
    Converged,
    /// <summary>The step budget ran out before the target was reached.</summary>
    BudgetExhausted,
    /// <summary>The loss became NaN/Inf or exceeded DivergenceFactor·L(0).</summary>
    Diverged,
    /// <summary>Interrupted (Ctrl-C).</summary>
    Stopped,
    /// <summary>An error ended the run.</summary>
    Failed,
}

/// <summary>The outcome of a run: status, updates performed, the last finite loss and wall-clock seconds.</summary>
public sealed record TrainingResult(TrainingStatus Status, int Steps, double InitialLoss, double FinalLoss, double Seconds,
    int? DivergedAtStep = null, string? Message = null);
