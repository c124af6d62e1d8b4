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
/// in PyTorch's order of operations, so that <c>torch.optim.RMSprop(params, lr=η, alpha=α, eps=ε, weight_decay=λ,
/// momentum=μ, centered=…)</c> gives the same numbers up to rounding. Defaults α = 0.99, ε = 1e-8, μ = 0. State: "step",
/// and per trained parameter "square_avg.NAME" (v), "momentum_buffer.NAME" (b) when μ &gt; 0, "grad_avg.NAME" (ḡ) when centered.
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
        T mu = T.CreateTruncating(momentum), w = T.CreateTruncating(1 - alpha);
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
                if (weightDecay != 0) TensorPrimitives.MultiplyAdd(th, lambda, g, g);
                TensorPrimitives.Multiply(g, g, avg);
                TensorPrimitives.Lerp(v, avg, w, v);
                if (centered)
                {
                    Span<T> gbar = mean.AsSpan(i, length);
                    TensorPrimitives.Lerp(gbar, g, w, gbar);
                    TensorPrimitives.Multiply(gbar, gbar, avg);
                    TensorPrimitives.Subtract(v, avg, avg);
                    TensorPrimitives.Sqrt(avg, avg);
                }
                else TensorPrimitives.Sqrt(v, avg);
                TensorPrimitives.Add(avg, eps, avg);
                TensorPrimitives.Divide(g, avg, avg);
                if (momentum > 0)
                {
                    Span<T> b = buffer.AsSpan(i, length);
                    TensorPrimitives.MultiplyAdd(b, mu, avg, b);
                    TensorPrimitives.MultiplyAdd(b, -eta, th, th);
                }
                else TensorPrimitives.MultiplyAdd(avg, -eta, th, th);
            }
        }
    }

    public IReadOnlyList<Tensor> SaveState() => state.Save();

    public void RestoreState(IReadOnlyDictionary<string, Tensor> state) => this.state.Restore(state);
}
