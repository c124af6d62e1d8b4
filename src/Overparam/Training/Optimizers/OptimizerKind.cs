using System.Numerics;

namespace Overparam.Training.Optimizers;

/// <summary>
/// A registered optimizer: its name (the `--optimizer` value, the sweep field), a line for --help, and how to build one.
/// Adding an optimizer is one class implementing <see cref="IOptimizer{T}"/> and one line in the built-in list of <see cref="Registry"/>
/// (or <see cref="Register"/> at run time).
/// </summary>
public abstract class OptimizerKind
{
    public abstract string Name { get; }
    public abstract string Description { get; }

    /// <summary>Builds one from the run's settings; a bad setting is an <see cref="ArgumentException"/> naming its option.</summary>
    public abstract IOptimizer<T> Create<T>(OptimizerSettings settings) where T : unmanaged, IFloatingPointIeee754<T>;

    public override string ToString() => Name;

    /// <summary>The default, and the paper's: full-batch gradient descent.</summary>
    public static readonly OptimizerKind Default = new GradientDescentKind();

    private static readonly Registry<OptimizerKind> Registry = new("an optimizer", o => [o.Name],
        [Default, new SgdKind(), new AdamKind(), new RmsPropKind(), new EntropySgdKind(), new ReplicatedSgdKind(),
         new GradRewiringKind(), new DeepRewiringKind(false), new DeepRewiringKind(true)]);

    public static IReadOnlyList<OptimizerKind> All => Registry.All;

    public static IReadOnlyList<string> Names => Registry.Names;

    /// <summary>Adds an optimizer (a test's or a user's); its name must be new.</summary>
    public static void Register(OptimizerKind kind) => Registry.Register(kind);

    public static OptimizerKind? TryParse(string name) => Registry.TryParse(name);

    private sealed class GradientDescentKind : OptimizerKind
    {
        public override string Name => GradientDescent<float>.KindName;
        public override string Description => "gd: gradient descent θ ← θ − η ∂L/∂θ with η from --lr-policy (the paper's)";
        public override IOptimizer<T> Create<T>(OptimizerSettings settings) => new GradientDescent<T>(settings.LearningRate);
    }

    private sealed class SgdKind : OptimizerKind
    {
        public override string Name => Sgd<float>.KindName;
        public override string Description => "sgd: PyTorch's SGD, θ ← θ − η·g with --momentum, --dampening, --nesterov, --weight-decay";
        public override IOptimizer<T> Create<T>(OptimizerSettings settings) => new Sgd<T>(settings);
    }

    private sealed class AdamKind : OptimizerKind
    {
        public override string Name => Adam<float>.KindName;
        public override string Description => "adam: PyTorch's Adam (L2 --weight-decay, not AdamW) with --beta1, --beta2, --epsilon";
        public override IOptimizer<T> Create<T>(OptimizerSettings settings) => new Adam<T>(settings);
    }

    private sealed class RmsPropKind : OptimizerKind
    {
        public override string Name => RmsProp<float>.KindName;
        public override string Description => "rmsprop: PyTorch's RMSprop with --alpha, --epsilon, --momentum, --centered, --weight-decay";
        public override IOptimizer<T> Create<T>(OptimizerSettings settings) => new RmsProp<T>(settings);
    }

    private sealed class EntropySgdKind : OptimizerKind
    {
        public override string Name => EntropySgd<float>.KindName;
        public override string Description => "entropy-sgd: Entropy-SGD (docs/mathematics.md §11.2), --inner-steps L SGLD steps on fresh batches (--sgld-lr, --sgld-noise, --sgld-momentum, --ema-alpha) coupled by γ = γ0(1+γ1)^t (--gamma0, --gamma1 or --gamma-max), then SGD on w_c − μ (--momentum, --nesterov, --weight-decay, --gscale)";

        public override IOptimizer<T> Create<T>(OptimizerSettings settings) => settings.InnerSteps >= 1 ? new EntropySgd<T>(settings)
            : throw new ArgumentException($"--inner-steps {settings.InnerSteps}: must be at least 1 (with L = 0 it is SGD: use --optimizer sgd)");
    }

    private sealed class ReplicatedSgdKind : OptimizerKind
    {
        public override string Name => ReplicatedSgd<float>.KindName;
        public override string Description => "replicated-sgd: Replicated-SGD (docs/mathematics.md §11.3), --replicas y networks from independent seeds, each on its own batches, coupled by 2γ(w^a − w̄) to their centre, SGD at lr·y (--momentum, --nesterov, --weight-decay), γ per epoch (--gamma-schedule exp|lin|cosine, --gamma0, --gamma1, --gamma-max); the centre is the run's network";
        public override IOptimizer<T> Create<T>(OptimizerSettings settings) => new ReplicatedSgd<T>(settings);
    }

    private sealed class GradRewiringKind : OptimizerKind
    {
        public override string Name => GradRewiring<float>.KindName;
        public override string Description => "grad-r: gradient rewiring (docs/mathematics.md §16), w = s·max(θ, 0) with fixed signs, Adam on the redefined gradient plus a Laplace prior centred at ln(2(1 − p))/α (--target-sparsity p ≥ 0.5, --prior-alpha α, --true-gradient ablation, --beta1, --beta2, --epsilon)";
        public override IOptimizer<T> Create<T>(OptimizerSettings settings) => new GradRewiring<T>(settings);
    }

    private sealed class DeepRewiringKind(bool soft) : OptimizerKind
    {
        public override string Name => soft ? DeepRewiring<float>.SoftName : DeepRewiring<float>.HardName;
        public override string Description => soft
            ? "soft-deep-r: soft Deep R as the Grad R authors' deeprewire.py (docs/mathematics.md §16.6), hidden θ for every synapse, Adam step on active ones, -l1·s, noise T·sqrt(step) on all, θ ≥ θ_min (--temperature, --l1, --max-sparsity)"
            : "deep-r: Deep R as the Grad R authors' deeprewire.py (docs/mathematics.md §16.6), Adam step, -l1·s and noise T·sqrt(step) on active synapses, sign flips become dormant, reactivation to eps above --max-sparsity (--temperature, --l1)";
        public override IOptimizer<T> Create<T>(OptimizerSettings settings) => new DeepRewiring<T>(settings, soft);
    }
}
