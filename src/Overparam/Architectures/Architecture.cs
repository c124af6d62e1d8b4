using System.Numerics;
using Overparam.Kernels;
using Overparam.Numerics;

namespace Overparam.Architectures;

/// <summary>The theorems' step size η = c·λ₀·Factor/n² for one architecture, and how to say it.</summary>
/// <param name="Formula">E.g. "c·λ₀/n² (Theorem 5.1)".</param>
/// <param name="Symbols">Extra symbols of the formula with their values, e.g. ", H = 4" (or "").</param>
public sealed record TheoryStep(double Factor, string Formula, string Symbols);

/// <summary>
/// Everything the rest of the library needs to know about one architecture, in one place: its names, its parameters,
/// how to build its finite-width network and its infinite-width kernel, the theorems' step size and which probes apply.
/// Code that would switch on the architecture asks its descriptor instead. Adding an architecture is one folder (the
/// network, its kernel, its descriptor) and one line in the built-in list of <see cref="Registry"/> (or <see cref="Register"/> at run time).
/// </summary>
public abstract class Architecture
{
    /// <summary>The name used on the command line, in specs and in config.json ("fc").</summary>
    public abstract string Name { get; }

    /// <summary>Other accepted names ("fully-connected").</summary>
    public virtual IReadOnlyList<string> Aliases => [];

    /// <summary>The name in reports ("fully-connected").</summary>
    public abstract string DisplayName { get; }

    /// <summary>One line for --help: what the architecture is and where docs/mathematics.md defines it.</summary>
    public abstract string Description { get; }

    /// <summary>Dimensions of one input: 1 for vectors x ∈ R^d, 2 for d₀ channels × p positions.</summary>
    public virtual int InputRank => 1;

    /// <summary>True when c_res is part of the network (residual scaling c_res/(H√m)).</summary>
    public virtual bool UsesCRes => false;

    /// <summary>True when the kernel size q is part of the network.</summary>
    public virtual bool UsesKernelSize => false;

    /// <summary>True when the last hidden layer may have its own width M_H (--feature-width, docs/mathematics.md §2.5).</summary>
    public virtual bool HasFeatureWidth => false;

    /// <summary>True when the layers' pre-activations may be batch-normalized (--batch-norm, docs/mathematics.md §2.6).</summary>
    public virtual bool HasBatchNorm => false;

    /// <summary>True when layer 1 is a dense map of the raw input, so the activation-pattern probes of depth-1 nets apply.</summary>
    public virtual bool DenseFirstLayer => true;

    /// <summary>How the theorems' required width grows with depth, for the critical-width report.</summary>
    public virtual string WidthTheorem => "no theorem";

    /// <summary>
    /// Completes a configuration whose generic fields (depth, width, activation, c_res, kernel size, output init, c_σ)
    /// come from the user, for inputs of <paramref name="inputShape"/>; throws <see cref="ArgumentException"/> with a
    /// message naming the option when the data or an option does not fit.
    /// </summary>
    public virtual NetworkConfig Configure(NetworkConfig template, int[] inputShape) =>
        template with { InputChannels = inputShape.Aggregate(1, (p, s) => p * s), Positions = 1, KernelSize = 1 };

    /// <summary>Parameter names and shapes in the order of initialization, of <see cref="IModel{T}.Parameters"/> and of the files.</summary>
    public abstract IReadOnlyList<(string Name, int[] Shape)> Shapes(NetworkConfig config);

    /// <summary>Names and shapes of the network's buffers, state that is saved with the parameters but not trained (batch norm's running statistics); none by default.</summary>
    public virtual IReadOnlyList<(string Name, int[] Shape)> BufferShapes(NetworkConfig config) => [];

    /// <summary>The network over the given parameter and buffer arrays (shared, not copied), for an architecture with buffers (<see cref="BufferShapes"/>).</summary>
    public virtual IModel<T> Create<T>(NetworkConfig config, IReadOnlyList<Parameter<T>> parameters, IReadOnlyList<Parameter<T>> buffers)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        buffers.Count == 0 ? Create(config, parameters) : throw new ArgumentException($"the {Name} network has no buffers");

    /// <summary>The finite-width network over the given parameter arrays (shared, not copied); the paper's networks are <see cref="INetwork{T}"/>s.</summary>
    public abstract IModel<T> Create<T>(NetworkConfig config, IReadOnlyList<Parameter<T>> parameters)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The architecture's own initialization from <paramref name="rng"/>, or null for the paper's (<see cref="NetworkFactory.Initialize{T}"/>).</summary>
    public virtual IReadOnlyList<Parameter<T>>? Initialize<T>(NetworkConfig config, GaussianRng rng) where T : unmanaged, IFloatingPointIeee754<T> => null;

    /// <summary>The loss when --loss is not given, or null for the default of <see cref="Experiments.RunTraining.Loss"/>.</summary>
    public virtual string? DefaultLoss => null;

    /// <summary>Why the infinite-width kernel is not available for this configuration, or null when it is.</summary>
    public virtual string? KernelUnavailable(NetworkConfig config) => $"the {DisplayName} network has no infinite-width kernel";

    /// <summary>The infinite-width Gram matrices for inputs X (one sample per row); only when <see cref="KernelUnavailable"/> is null.</summary>
    public virtual KernelResult Kernel(NetworkConfig config, Matrix<double> x, KernelOptions options) =>
        throw new InvalidOperationException(KernelUnavailable(config));

    /// <summary>Null in the paper's setting (one output, its parameterization, no biases), where kernels are derived; else why not.</summary>
    protected static string? OutsideThePapersSetting(NetworkConfig c) =>
        c.Widens ? $"--feature-width {c.FeatureSize} with --width {c.Width}: the infinite-width kernels (λ₀, Θ; --lr-policy theory, --probe-every) take every hidden layer's width m → ∞ together and are derived for one width; drop --feature-width or use --lr-policy fixed or stable"
        : c.IsPapers ? null
        : "the infinite-width kernel is derived for the paper's setting only: one output (--outputs 1), --parameterization ntk and no --bias";

    /// <summary>The theorems' step size, or null when no theorem covers the architecture.</summary>
    public virtual TheoryStep? TheoryStep(NetworkConfig config) => null;

    public override string ToString() => Name;

    private static readonly Registry<Architecture> Registry = new("an architecture", a => a.Aliases.Prepend(a.Name),
    [
        new FullyConnected.FullyConnectedArchitecture(),
        new ResNet.ResNetArchitecture(),
        new ConvResNet.ConvResNetArchitecture(),
        new Spiking.SpikingArchitecture(),
    ]);

    /// <summary>Every registered architecture, in registration order.</summary>
    public static IReadOnlyList<Architecture> All => Registry.All;

    /// <summary>The registered names, for --help, spec checks and error messages.</summary>
    public static IReadOnlyList<string> Names => Registry.Names;

    /// <summary>Adds an architecture (e.g. a test's or a user's own); its name and aliases must be new.</summary>
    public static void Register(Architecture architecture) => Registry.Register(architecture);

    /// <summary>The architecture with this name or alias (case-insensitive), or null.</summary>
    public static Architecture? TryParse(string name) => Registry.TryParse(name);

    /// <summary>The architecture with this name or alias; an unknown name is an error listing the known ones.</summary>
    public static Architecture Parse(string name) => TryParse(name)
        ?? throw new ArgumentException($"unknown architecture \"{name}\": expected one of {string.Join(", ", Names)}");
}
