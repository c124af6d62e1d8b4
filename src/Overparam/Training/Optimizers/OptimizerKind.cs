using System.Numerics;

namespace Overparam.Training.Optimizers;

/// <summary>What every optimizer is built from: the step size η (chosen by the run's step-size policy).</summary>
public sealed record OptimizerSettings(double LearningRate);

/// <summary>
/// A registered optimizer: its name (the `--optimizer` value, the sweep field), a line for --help, and how to build one.
/// Adding an optimizer is one class implementing <see cref="IOptimizer{T}"/> and one line in the built-in list of <see cref="Registry"/>
/// (or <see cref="Register"/> at run time).
/// </summary>
public abstract class OptimizerKind
{
    public abstract string Name { get; }
    public abstract string Description { get; }

    public abstract IOptimizer<T> Create<T>(OptimizerSettings settings) where T : unmanaged, IFloatingPointIeee754<T>;

    public override string ToString() => Name;

    /// <summary>The default, and the paper's: full-batch gradient descent.</summary>
    public static readonly OptimizerKind Default = new GradientDescentKind();

    private static readonly Registry<OptimizerKind> Registry = new("an optimizer", o => [o.Name], [Default]);

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
}
