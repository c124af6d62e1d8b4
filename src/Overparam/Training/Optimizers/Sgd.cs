using System.Numerics;
using Overparam.IO;
using Overparam.Numerics;

namespace Overparam.Training.Optimizers;

/// <summary>
/// Stochastic gradient descent as PyTorch's <c>torch.optim.SGD</c>: for each trained parameter θ with gradient ∇ of the
/// step's (mini)batch loss, learning rate η, momentum μ, dampening τ and weight decay λ,
/// <code>
/// g ← ∇ + λθ
/// if μ ≠ 0:  b ← g at the first step, else b ← μb + (1 − τ)g
///            g ← g + μb  with Nesterov,  else g ← b
/// θ ← θ − ηg
/// </code>
/// (<see cref="SgdRule{T}"/>), the update of <c>torch.optim.SGD(params, lr=η, momentum=μ, dampening=τ, weight_decay=λ, nesterov=…)</c>, e.g.
/// <c>torch.optim.SGD(params, lr, momentum=0.9, nesterov=True, weight_decay=5e-4)</c>. Each line is rounded as PyTorch's
/// CPU kernels round it (μb is rounded, then g is added in a fused multiply-add, as PyTorch's <c>mul_</c> then
/// <c>add_(alpha=…)</c> on an FMA-capable CPU), so the numbers equal Debian's PyTorch 1.13 bit for bit
/// (OptimizerTorchGoldenTests). Nesterov needs μ &gt; 0 and τ = 0, as in PyTorch. With μ = λ = 0 this is
/// <see cref="GradientDescent{T}"/>'s update without the fused step. State: "step" (the updates taken, which tells
/// whether b exists yet) and, when μ ≠ 0, "momentum_buffer.NAME" (b) per trained parameter.
/// </summary>
public sealed class Sgd<T> : IOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public const string KindName = "sgd";

    private readonly double momentum, dampening, weightDecay;
    private readonly bool nesterov;
    private readonly ParameterBuffers<T> state;

    public Sgd(OptimizerSettings settings)
    {
        SgdRule<T>.Validate(settings);
        LearningRate = settings.LearningRate;
        (momentum, dampening, weightDecay, nesterov) = (settings.Momentum, settings.Dampening, settings.WeightDecay, settings.Nesterov);
        state = momentum != 0 ? new(KindName, "momentum_buffer") : new(KindName);
    }

    public string Name => KindName;

    /// <summary>η.</summary>
    public double LearningRate { get; set; }

    public void Step(in OptimizerStep<T> step)
    {
        state.Begin(step);
        bool first = state.Steps == 1;
        var rule = new SgdRule<T>(LearningRate, momentum, dampening, weightDecay, nesterov);
        var ps = step.Model.Parameters;
        for (int p = 0; p < ps.Count; p++)
        {
            if (!step.Trains(p)) continue;
            T[] theta = ps[p].Value, grad = state.Gradient(p), buffer = momentum != 0 ? state.Buffer(0, p) : [];
            for (int i = 0; i < theta.Length; i += ParameterBuffers<T>.BlockLength)
            {
                int length = Math.Min(ParameterBuffers<T>.BlockLength, theta.Length - i);
                rule.Apply(theta.AsSpan(i, length), grad.AsSpan(i, length), momentum != 0 ? buffer.AsSpan(i, length) : [], first);
            }
        }
    }

    public IReadOnlyList<Tensor> SaveState() => state.Save();

    public void RestoreState(IReadOnlyDictionary<string, Tensor> state) => this.state.Restore(state);
}
