using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Overparam.Architectures;
using Overparam.IO;

namespace Overparam.Training.Optimizers;

/// <summary>
/// Gradient descent with a constant step: θ ← θ − η ∂L/∂θ, i.e. PyTorch's <c>torch.optim.SGD(params, lr=η)</c> (no
/// momentum, dampening or weight decay). On the paper's networks with one output (and no batch norm) the update is fused into the gradient
/// GEMMs (<see cref="INetwork{T}.DescentStep"/>); on any other model (C ≥ 2 outputs included) it is ∂L/∂θ followed by an
/// axpy. Stateless.
/// </summary>
public sealed class GradientDescent<T>(double learningRate) : IOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public const string KindName = "gd";

    public string Name => KindName;

    /// <summary>η.</summary>
    public double LearningRate { get; set; } = learningRate;

    private T[][]? gradients;

    public void Step(in OptimizerStep<T> step)
    {
        T eta = T.CreateTruncating(LearningRate);
        if (step.Model is INetwork<T> net && net.Outputs == 1 && !net.Config.BatchNorm)
        {
            net.DescentStep(step.OutputGradient, eta, step.Trained);
            return;
        }
        var ps = step.Model.Parameters;
        gradients ??= ps.Select(p => new T[p.Value.Length]).ToArray();
        step.Model.Gradients(gradients, step.Trained);
        for (int p = 0; p < ps.Count; p++)
            if (step.Trains(p)) TensorPrimitives.MultiplyAdd(gradients[p], -eta, ps[p].Value, ps[p].Value);
    }

    public IReadOnlyList<Tensor> SaveState() => [];

    public void RestoreState(IReadOnlyDictionary<string, Tensor> state)
    {
        if (state.Count > 0) throw new ArgumentException($"gradient descent keeps no state, got {string.Join(", ", state.Keys)}");
    }
}
