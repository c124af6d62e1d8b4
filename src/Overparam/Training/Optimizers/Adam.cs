using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Overparam.IO;

namespace Overparam.Training.Optimizers;

/// <summary>
/// Adam as PyTorch's <c>torch.optim.Adam</c> (amsgrad off; weight decay is the L2 term added to the gradient, not AdamW's
/// decoupled decay): for each trained parameter θ with gradient ∇ of the step's (mini)batch loss, learning rate η, decays
/// β1, β2, ε and weight decay λ, with m = v = 0 and t = 0 at the start,
/// <code>
/// t ← t + 1
/// g ← ∇ + λθ
/// m ← β1 m + (1 − β1) g
/// v ← β2 v + (1 − β2) g²
/// step_size ← η / (1 − β1^t)
/// denom ← sqrt(v) / sqrt(1 − β2^t) + ε
/// θ ← θ − step_size · m / denom
/// </code>
/// the update of <c>torch.optim.Adam(params, lr=η, betas=(β1, β2), eps=ε, weight_decay=λ)</c>, e.g.
/// <c>torch.optim.Adam(params, lr=1e-3)</c>. Each line is rounded as PyTorch 1.13's CPU kernels round it (a multiply-add
/// is fused where PyTorch's kernel fuses it on an FMA-capable CPU), so the numbers equal Debian's PyTorch bit for bit
/// (OptimizerTorchGoldenTests); PyTorch ≥ 2.0 computes m as <c>exp_avg.lerp_(g, 1 − β1)</c>, equal up to rounding.
/// Defaults β = (0.9, 0.999), ε = 1e-8. State: "step" (t) and "exp_avg.NAME" (m), "exp_avg_sq.NAME" (v) per trained
/// parameter.
/// </summary>
public sealed class Adam<T> : IOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public const string KindName = "adam";

    private readonly double beta1, beta2, epsilon, weightDecay;
    private readonly ParameterBuffers<T> state = new(KindName, "exp_avg", "exp_avg_sq");
    private readonly T[] denominator = new T[ParameterBuffers<T>.BlockLength];

    public Adam(OptimizerSettings settings)
    {
        OptimizerSettings.RequireNonNegative("--lr", settings.LearningRate);
        OptimizerSettings.RequireBelowOne("--beta1", settings.Beta1);
        OptimizerSettings.RequireBelowOne("--beta2", settings.Beta2);
        OptimizerSettings.RequireNonNegative("--epsilon", settings.Epsilon);
        OptimizerSettings.RequireNonNegative("--weight-decay", settings.WeightDecay);
        LearningRate = settings.LearningRate;
        (beta1, beta2, epsilon, weightDecay) = (settings.Beta1, settings.Beta2, settings.Epsilon, settings.WeightDecay);
    }

    public string Name => KindName;

    /// <summary>η.</summary>
    public double LearningRate { get; set; }

    public void Step(in OptimizerStep<T> step)
    {
        state.Begin(step);
        double t = state.Steps;
        T stepSize = T.CreateTruncating(LearningRate / (1 - Math.Pow(beta1, t)));
        T correction2 = T.CreateTruncating(Math.Sqrt(1 - Math.Pow(beta2, t)));
        T lambda = T.CreateTruncating(weightDecay), eps = T.CreateTruncating(epsilon);
        T w1 = T.CreateTruncating(1 - beta1), w2 = T.CreateTruncating(1 - beta2), b1 = T.CreateTruncating(beta1), b2 = T.CreateTruncating(beta2);
        var ps = step.Model.Parameters;
        for (int p = 0; p < ps.Count; p++)
        {
            if (!step.Trains(p)) continue;
            T[] theta = ps[p].Value, grad = state.Gradient(p), m = state.Buffer(0, p), v = state.Buffer(1, p);
            for (int i = 0; i < theta.Length; i += ParameterBuffers<T>.BlockLength)
            {
                int length = Math.Min(ParameterBuffers<T>.BlockLength, theta.Length - i);
                Span<T> th = theta.AsSpan(i, length), g = grad.AsSpan(i, length), mb = m.AsSpan(i, length), vb = v.AsSpan(i, length);
                Span<T> d = denominator.AsSpan(0, length);
                if (weightDecay != 0) TensorPrimitives.FusedMultiplyAdd(th, lambda, g, g); // grad.add(param, alpha=λ)
                TensorPrimitives.Multiply(mb, b1, mb);                                    // exp_avg.mul_(β1)
                TensorPrimitives.FusedMultiplyAdd(g, w1, mb, mb);                         //   .add_(grad, alpha=1 − β1)
                TensorPrimitives.Multiply(vb, b2, vb);                                    // exp_avg_sq.mul_(β2)
                TensorPrimitives.Multiply(g, w2, d);                                      //   .addcmul_(grad, grad, value=1 − β2)
                TensorPrimitives.FusedMultiplyAdd(d, g, vb, vb);
                TensorPrimitives.Sqrt(vb, d);                                             // denom = (exp_avg_sq.sqrt()
                TensorPrimitives.Divide(d, correction2, d);                               //   / sqrt(bias_correction2))
                TensorPrimitives.Add(d, eps, d);                                          //   .add_(ε)
                TensorPrimitives.Multiply(mb, -stepSize, g);                              // param.addcdiv_(exp_avg, denom, value=−step_size)
                TensorPrimitives.Divide(g, d, g);
                TensorPrimitives.Add(th, g, th);
            }
        }
    }

    public IReadOnlyList<Tensor> SaveState() => state.Save();

    public void RestoreState(IReadOnlyDictionary<string, Tensor> state) => this.state.Restore(state);
}
