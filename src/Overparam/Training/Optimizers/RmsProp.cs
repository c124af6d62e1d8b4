using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Overparam.IO;

namespace Overparam.Training.Optimizers;

/// <summary>
/// RMSprop as PyTorch's <c>torch.optim.RMSprop</c>: for each trained parameter θ with gradient ∇ of the step's
/// (mini)batch loss, learning rate η, smoothing α, ε, momentum μ and weight decay λ, with v = b = ḡ = 0 at the start,
/// <code>
/// g ← ∇ + λθ
/// v ← α v + (1 − α) g²
/// avg ← sqrt(v) + ε,  or centered:  ḡ ← α ḡ + (1 − α) g,  avg ← sqrt(v − ḡ²) + ε
/// if μ &gt; 0:  b ← μ b + g / avg,  θ ← θ − η b
/// else:       θ ← θ − η g / avg
/// </code>
/// the update of <c>torch.optim.RMSprop(params, lr=η, alpha=α, eps=ε, weight_decay=λ, momentum=μ, centered=…)</c>, e.g.
/// <c>torch.optim.RMSprop(params, lr=1e-2, momentum=0.9)</c>. Each line is rounded as PyTorch 1.13's CPU kernels round it
/// (a multiply-add is fused where PyTorch's kernel fuses it on an FMA-capable CPU), so the numbers equal Debian's
/// PyTorch bit for bit (OptimizerTorchGoldenTests); PyTorch ≥ 2.0 computes ḡ with <c>lerp_</c>, equal up to rounding.
/// Defaults α = 0.99, ε = 1e-8, μ = 0. State: "step", and per trained parameter "square_avg.NAME" (v),
/// "momentum_buffer.NAME" (b) when μ &gt; 0, "grad_avg.NAME" (ḡ) when centered.
/// </summary>
public sealed class RmsProp<T> : IOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public const string KindName = "rmsprop";

    private readonly double alpha, epsilon, momentum, weightDecay;
    private readonly bool centered;
    private readonly int gradAverageKind;
    private readonly ParameterBuffers<T> state;
    private readonly T[] average = new T[ParameterBuffers<T>.BlockLength];

    public RmsProp(OptimizerSettings settings)
    {
        OptimizerSettings.RequireNonNegative("--lr", settings.LearningRate);
        OptimizerSettings.RequireNonNegative("--alpha", settings.Alpha);
        OptimizerSettings.RequireNonNegative("--epsilon", settings.Epsilon);
        OptimizerSettings.RequireNonNegative("--momentum", settings.Momentum);
        OptimizerSettings.RequireNonNegative("--weight-decay", settings.WeightDecay);
        LearningRate = settings.LearningRate;
        (alpha, epsilon, momentum, weightDecay, centered) = (settings.Alpha, settings.Epsilon, settings.Momentum, settings.WeightDecay, settings.Centered);
        var kinds = new List<string> { "square_avg" };
        if (momentum > 0) kinds.Add("momentum_buffer");
        if (centered) kinds.Add("grad_avg");
        state = new(KindName, [.. kinds]);
        gradAverageKind = kinds.IndexOf("grad_avg");
    }

    public string Name => KindName;

    /// <summary>η.</summary>
    public double LearningRate { get; set; }

    public void Step(in OptimizerStep<T> step)
    {
        state.Begin(step);
        T eta = T.CreateTruncating(LearningRate), lambda = T.CreateTruncating(weightDecay), eps = T.CreateTruncating(epsilon);
        T mu = T.CreateTruncating(momentum), a = T.CreateTruncating(alpha), w = T.CreateTruncating(1 - alpha);
        var ps = step.Model.Parameters;
        for (int p = 0; p < ps.Count; p++)
        {
            if (!step.Trains(p)) continue;
            T[] theta = ps[p].Value, grad = state.Gradient(p), square = state.Buffer(0, p);
            T[] buffer = momentum > 0 ? state.Buffer(1, p) : [], mean = centered ? state.Buffer(gradAverageKind, p) : [];
            for (int i = 0; i < theta.Length; i += ParameterBuffers<T>.BlockLength)
            {
                int length = Math.Min(ParameterBuffers<T>.BlockLength, theta.Length - i);
                Span<T> th = theta.AsSpan(i, length), g = grad.AsSpan(i, length), v = square.AsSpan(i, length), avg = average.AsSpan(0, length);
                if (weightDecay != 0) TensorPrimitives.FusedMultiplyAdd(th, lambda, g, g); // grad.add(param, alpha=λ)
                TensorPrimitives.Multiply(v, a, v);                                       // square_avg.mul_(α)
                TensorPrimitives.Multiply(g, w, avg);                                     //   .addcmul_(grad, grad, value=1 − α)
                TensorPrimitives.FusedMultiplyAdd(avg, g, v, v);
                if (centered)
                {
                    Span<T> gbar = mean.AsSpan(i, length);
                    TensorPrimitives.Multiply(gbar, a, gbar);                             // grad_avg.mul_(α)
                    TensorPrimitives.FusedMultiplyAdd(g, w, gbar, gbar);                  //   .add_(grad, alpha=1 − α)
                    TensorPrimitives.Negate(gbar, avg);                                   // avg = square_avg.addcmul(grad_avg, grad_avg, value=−1)
                    TensorPrimitives.FusedMultiplyAdd(avg, gbar, v, avg);
                    TensorPrimitives.Sqrt(avg, avg);                                      //   .sqrt_()
                }
                else TensorPrimitives.Sqrt(v, avg);                                       // avg = square_avg.sqrt()
                TensorPrimitives.Add(avg, eps, avg);                                      //   .add_(ε)
                if (momentum > 0)
                {
                    Span<T> b = buffer.AsSpan(i, length);
                    TensorPrimitives.Multiply(b, mu, b);                                  // buf.mul_(μ)
                    TensorPrimitives.Divide(g, avg, g);                                   //   .addcdiv_(grad, avg)
                    TensorPrimitives.Add(b, g, b);
                    TensorPrimitives.FusedMultiplyAdd(b, -eta, th, th);                   // param.add_(buf, alpha=−η)
                }
                else
                {
                    TensorPrimitives.Multiply(g, -eta, g);                                // param.addcdiv_(grad, avg, value=−η)
                    TensorPrimitives.Divide(g, avg, g);
                    TensorPrimitives.Add(th, g, th);
                }
            }
        }
    }

    public IReadOnlyList<Tensor> SaveState() => state.Save();

    public void RestoreState(IReadOnlyDictionary<string, Tensor> state) => this.state.Restore(state);
}
