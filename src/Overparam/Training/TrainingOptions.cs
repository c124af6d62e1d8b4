namespace Overparam.Training;

/// <summary>
/// How the training loop runs and when it stops: when the loss reaches <see cref="TargetLoss"/>, after
/// <see cref="MaxSteps"/> updates, or on divergence (NaN/Inf or a loss above <see cref="DivergenceFactor"/>·L(0)).
/// </summary>
/// <param name="Trained">Which parameters (in the model's order) are updated; null trains all, as the deep paper.</param>
/// <param name="Batches">Which samples each step sees; null: the full batch, the paper's gradient descent.</param>
/// <param name="LearningRate">η at epoch e (a schedule), set on the optimizer before each step; null: the optimizer's own, constant.</param>
/// <param name="StartStep">The first step k (a resumed run starts where its checkpoint left off).</param>
/// <param name="StartBatch">The batch of the stream step <see cref="StartStep"/> takes (null: the same number; they differ
/// once an optimizer has drawn extra batches through its <see cref="IGradientOracle{T}"/>).</param>
/// <param name="InitialLoss">L(θ(0)) of a resumed run (for the divergence test and the result).</param>
public sealed record TrainingOptions(
    int MaxSteps,
    double TargetLoss = 0,
    IReadOnlyList<bool>? Trained = null,
    double DivergenceFactor = 1e6,
    BatchPlan? Batches = null,
    Func<int, double>? LearningRate = null,
    int StartStep = 0,
    double? InitialLoss = null,
    long? StartBatch = null);

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

/// <summary>
/// The outcome of a run: status, updates performed, the last finite loss and wall-clock seconds. <paramref name="WeightsStep"/>
/// is the step whose parameters the model holds at the end when that is not <paramref name="Steps"/>: for a diverged run,
/// the step before the divergence (the loop put the model back there), whose loss is <paramref name="FinalLoss"/>.
/// </summary>
public sealed record TrainingResult(TrainingStatus Status, int Steps, double InitialLoss, double FinalLoss, double Seconds,
    int? DivergedAtStep = null, string? Message = null, int? WeightsStep = null);
