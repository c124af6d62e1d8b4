using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Overparam.Architectures;
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
/// the update of <c>torch.optim.SGD(params, lr=η, momentum=μ, dampening=τ, weight_decay=λ, nesterov=…)</c>, e.g.
/// <c>torch.optim.SGD(params, lr, momentum=0.9, nesterov=True, weight_decay=5e-4)</c>. Each line is rounded as PyTorch's
/// CPU kernels round it (μb is rounded, then g is added in a fused multiply-add, as PyTorch's <c>mul_</c> then
/// <c>add_(alpha=…)</c> on an FMA-capable CPU), so the numbers equal Debian's PyTorch 1.13 bit for bit
/// (OptimizerTorchGoldenTests). Nesterov needs μ &gt; 0 and τ = 0, as in PyTorch. With μ = λ = 0 this is
/// <see cref="GradientDescent{T}"/>'s update without the fused step. State: "step" (the updates taken, which tells
/// whether b exists yet) and, when μ ≠ 0, "momentum_buffer.NAME" (b) per trained parameter.
/// <para>
/// Plain momentum (τ = λ = 0, no Nesterov) on a network that fuses its gradient GEMMs (<see cref="IFusedGradients{T}"/>,
/// the paper's networks) takes b ← μb + ∇ inside those GEMMs (C ← A·B + μC), and then θ ← θ − ηb in one pass: about
/// 1 ms less per step on 1.9M parameters, the gradient never stored. The formula is the same; the rounding of μb + ∇
/// is the BLAS's (it may differ from PyTorch's mul_ then add_ in the last bit of b), so bit-for-bit equality with
/// torch.optim holds for the other settings and for models without the fused GEMMs.
/// </para>
/// </summary>
public sealed class Sgd<T> : IOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public const string KindName = "sgd";

    private readonly double momentum, dampening, weightDecay;
    private readonly bool nesterov;
    private readonly ParameterBuffers<T> state;

    public Sgd(OptimizerSettings settings)
    {
        OptimizerSettings.RequireNonNegative("--lr", settings.LearningRate);
        OptimizerSettings.RequireNonNegative("--momentum", settings.Momentum);
        OptimizerSettings.RequireNonNegative("--weight-decay", settings.WeightDecay);
        if (!double.IsFinite(settings.Dampening)) throw new ArgumentException($"--dampening {settings.Dampening}: must be a finite number");
        if (settings.Nesterov && (settings.Momentum <= 0 || settings.Dampening != 0))
            throw new ArgumentException("--nesterov needs --momentum > 0 and --dampening 0");
        LearningRate = settings.LearningRate;
        (momentum, dampening, weightDecay, nesterov) = (settings.Momentum, settings.Dampening, settings.WeightDecay, settings.Nesterov);
        state = momentum != 0 ? new(KindName, "momentum_buffer") : new(KindName);
    }

    public string Name => KindName;

    /// <summary>η.</summary>
    public double LearningRate { get; set; }

    public void Step(in OptimizerStep<T> step)
    {
        if (momentum != 0 && dampening == 0 && weightDecay == 0 && !nesterov && step.Model is IFusedGradients<T> fused)
        {
            MomentumStep(step, fused);
            return;
        }
        state.Begin(step);
        bool first = state.Steps == 1;
        T eta = T.CreateTruncating(LearningRate), mu = T.CreateTruncating(momentum), lambda = T.CreateTruncating(weightDecay);
        T undamped = T.CreateTruncating(1 - dampening);
        var ps = step.Model.Parameters;
        for (int p = 0; p < ps.Count; p++)
        {
            if (!step.Trains(p)) continue;
            T[] theta = ps[p].Value, grad = state.Gradient(p), buffer = momentum != 0 ? state.Buffer(0, p) : [];
            for (int i = 0; i < theta.Length; i += ParameterBuffers<T>.BlockLength)
            {
                int length = Math.Min(ParameterBuffers<T>.BlockLength, theta.Length - i);
                Span<T> th = theta.AsSpan(i, length), g = grad.AsSpan(i, length);
                if (weightDecay != 0) TensorPrimitives.FusedMultiplyAdd(th, lambda, g, g); // grad.add(param, alpha=λ)
                if (momentum != 0)
                {
                    Span<T> b = buffer.AsSpan(i, length);
                    if (first) g.CopyTo(b);                                           // buf = torch.clone(grad)
                    else
                    {
                        TensorPrimitives.Multiply(b, mu, b);                          // buf.mul_(μ)
                        TensorPrimitives.FusedMultiplyAdd(g, undamped, b, b);         //   .add_(grad, alpha=1 − τ)
                    }
                    if (nesterov) TensorPrimitives.FusedMultiplyAdd(b, mu, g, g);     // grad = grad.add(buf, alpha=μ)
                    else g = b;
                }
                TensorPrimitives.FusedMultiplyAdd(g, -eta, th, th);                   // param.add_(grad, alpha=−η)
            }
        }
    }

    /// <summary>
    /// Plain momentum on a model that fuses its gradient GEMMs: b ← μb + ∇ is the GEMMs' own C ← A·B + μC (β = 0 at the
    /// first step: b = ∇, torch's clone), then θ ← θ − ηb. No gradient buffer; one pass over θ instead of three over θ, ∇ and b.
    /// </summary>
    private void MomentumStep(in OptimizerStep<T> step, IFusedGradients<T> model)
    {
        state.Begin(step, gradients: false);
        T eta = T.CreateTruncating(LearningRate), mu = T.CreateTruncating(momentum);
        var buffers = state.Buffers(0);
        model.AccumulateGradients(state.Steps == 1 ? T.Zero : mu, buffers, step.Trained);
        var ps = step.Model.Parameters;
        for (int p = 0; p < ps.Count; p++)
            if (step.Trains(p)) LinearAlgebra.Axpy(-eta, buffers[p], ps[p].Value);   // param.add_(buf, alpha=−η), on both cores
    }

    public IReadOnlyList<Tensor> SaveState() => state.Save();

    public void RestoreState(IReadOnlyDictionary<string, Tensor> state) => this.state.Restore(state);
}
