using System.Numerics;
using Overparam.Architectures;
using Overparam.IO;

namespace Overparam.Training;

/// <summary>
/// The rest of the run's batch stream, for optimizers that evaluate more than one minibatch per step (Entropy-SGD's
/// inner loop; PyTorch's <c>optimizer.step(closure)</c>). Each call takes the next batch, evaluates the model at its
/// current parameters (forward, loss, backward: the model's buffers are overwritten, so take the step's own gradient
/// first) and writes ∂L/∂θ of that batch.
/// </summary>
public interface IGradientOracle<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The next batch's loss at the current parameters; its gradient goes into gradients[p] for the trained p.</summary>
    double NextGradient(IReadOnlyList<T[]> gradients);
}

/// <summary>
/// What an optimizer is handed at step k: the model, just evaluated at θ(k) (forward and backward done on the step's
/// batch), ∂L/∂u of that evaluation, which parameters train, and the oracle for further batches.
/// </summary>
public readonly ref struct OptimizerStep<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public int Step { get; init; }
    /// <summary>The epoch of the step's batch (the loop counts epochs in batches: an optimizer that draws more makes them pass faster).</summary>
    public int Epoch { get; init; }
    public IModel<T> Model { get; init; }
    /// <summary>L(θ(k)) on the step's batch.</summary>
    public double Loss { get; init; }
    /// <summary>∂L/∂u at θ(k), n × C row-major (for the half-sum-squares loss, the residual u − y).</summary>
    public ReadOnlySpan<T> OutputGradient { get; init; }
    /// <summary>Which parameters train (null: all).</summary>
    public IReadOnlyList<bool>? Trained { get; init; }
    /// <summary>More batches, if the optimizer needs them (each call consumes one; the next step starts after them).</summary>
    public IGradientOracle<T> Oracle { get; init; }

    /// <summary>True when parameter <paramref name="p"/> is updated.</summary>
    public bool Trains(int p) => Trained is null || Trained[p];
}

/// <summary>
/// Owns the update of a model's parameters and the state that update keeps (momenta, counters, RNG state). The training
/// loop calls <see cref="Step"/> once per step; the model never updates itself.
/// </summary>
public interface IOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The registered name (<see cref="Optimizers.OptimizerKind"/>), e.g. "gd".</summary>
    string Name { get; }

    /// <summary>The step size η of the next update (a learning-rate schedule sets it before each step).</summary>
    double LearningRate { get; set; }

    /// <summary>θ(k+1) from θ(k) and the evaluation in <paramref name="step"/>.</summary>
    void Step(in OptimizerStep<T> step);

    /// <summary>The optimizer's state as named tensors (empty for a stateless optimizer), for checkpoints.</summary>
    IReadOnlyList<Tensor> SaveState();

    /// <summary>Restores what <see cref="SaveState"/> wrote; throws <see cref="ArgumentException"/> naming a missing or misshapen tensor.</summary>
    void RestoreState(IReadOnlyDictionary<string, Tensor> state);
}
