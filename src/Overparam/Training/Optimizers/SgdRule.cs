using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Overparam.Training.Optimizers;

/// <summary>
/// The update of <c>torch.optim.SGD</c> on one block of a parameter θ with gradient g, momentum buffer b, step η,
/// momentum μ, dampening τ and weight decay λ:
/// <code>
/// g ← g + λθ
/// if μ ≠ 0:  b ← g at the first step, else b ← μb + (1 − τ)g
///            g ← g + μb  with Nesterov,  else g ← b
/// θ ← θ − ηg
/// </code>
/// rounded as PyTorch's CPU kernels round it (μb is rounded, then g is added in a fused multiply-add). <see cref="Sgd{T}"/>
/// is this rule; Entropy-SGD's outer step and Replicated-SGD's step apply it to their own g. A buffer that starts at 0
/// and is never "first" gives b = (1 − τ)g at the first step: with τ = 0 the same bits as PyTorch's copy.
/// </summary>
internal readonly struct SgdRule<T>(double eta, double momentum, double dampening, double weightDecay, bool nesterov)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// The checks of the rule's settings that <see cref="Sgd{T}"/>, <see cref="ReplicatedSgd{T}"/> and
    /// <see cref="EntropySgd{T}"/> share: η, μ and λ finite and ≥ 0, τ finite, and Nesterov only with μ &gt; 0 and τ = 0
    /// (PyTorch's condition; Entropy-SGD also accepts an inner momentum as Nesterov's μ: <paramref name="otherMomentum"/>).
    /// </summary>
    public static void Validate(OptimizerSettings settings, double otherMomentum = 0, string otherOption = "")
    {
        OptimizerSettings.RequireNonNegative("--lr", settings.LearningRate);
        OptimizerSettings.RequireNonNegative("--momentum", settings.Momentum);
        OptimizerSettings.RequireNonNegative("--weight-decay", settings.WeightDecay);
        if (!double.IsFinite(settings.Dampening)) throw new ArgumentException($"--dampening {settings.Dampening}: must be a finite number");
        if (settings.Nesterov && (settings.Momentum <= 0 && otherMomentum <= 0 || settings.Dampening != 0))
            throw new ArgumentException($"--nesterov needs --momentum > 0{(otherOption.Length > 0 ? $" or {otherOption} > 0," : "")} and --dampening 0");
    }

    private readonly T eta = T.CreateTruncating(eta), mu = T.CreateTruncating(momentum), lambda = T.CreateTruncating(weightDecay);
    private readonly T undamped = T.CreateTruncating(1 - dampening);
    private readonly bool hasMomentum = momentum != 0, hasDecay = weightDecay != 0;

    /// <summary>One block: θ and g of the same length, b as long or empty without momentum; g is overwritten.</summary>
    public void Apply(Span<T> theta, Span<T> g, Span<T> buffer, bool first)
    {
        if (hasDecay) TensorPrimitives.FusedMultiplyAdd(theta, lambda, g, g);       // grad.add(param, alpha=λ)
        if (hasMomentum)
        {
            if (first) g.CopyTo(buffer);                                               // buf = torch.clone(grad)
            else
            {
                TensorPrimitives.Multiply(buffer, mu, buffer);                         // buf.mul_(μ)
                TensorPrimitives.FusedMultiplyAdd(g, undamped, buffer, buffer);        //   .add_(grad, alpha=1 − τ)
            }
            if (nesterov) TensorPrimitives.FusedMultiplyAdd(buffer, mu, g, g);         // grad = grad.add(buf, alpha=μ)
            else g = buffer;
        }
        TensorPrimitives.FusedMultiplyAdd(g, -eta, theta, theta);                      // param.add_(grad, alpha=−η)
    }
}
