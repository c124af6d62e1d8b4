using System.Numerics;
using Overparam.Architectures;

namespace Overparam.Training;

/// <summary>What an observer sees at step k: θ(k), the outputs u(k) and L(θ(k)), after the backward pass and before the update.</summary>
public readonly ref struct StepState<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public int Step { get; init; }
    /// <summary>The epoch of step k (= k for full-batch training).</summary>
    public int Epoch { get; init; }
    /// <summary>η of the update that follows.</summary>
    public double LearningRate { get; init; }
    public double Loss { get; init; }
    public double Seconds { get; init; }
    /// <summary>True for the last step of the run (target reached, budget exhausted or stopped).</summary>
    public bool IsLast { get; init; }
    /// <summary>u(k), n × C row-major.</summary>
    public ReadOnlySpan<T> Outputs { get; init; }
    public IModel<T> Model { get; init; }
}

/// <summary>Receives every step of a run; probes, evaluation, metrics writers and checkpoints implement it.</summary>
public interface ITrainingObserver<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Step k evaluated at θ(k), before its update.</summary>
    void OnStep(in StepState<T> state);

    /// <summary>
    /// After update k: the parameters are θ(k+1), the optimizer holds its state for step k+1, and step k+1 will take
    /// batch <paramref name="nextBatch"/> of the stream (checkpoints).
    /// </summary>
    void AfterUpdate(int nextStep, long nextBatch) { }
}
