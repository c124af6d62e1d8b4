using Overparam.Activations;

namespace Overparam.Architectures;

/// <summary>How the output layer a starts: N(0, 1) as in the deep paper, or uniform ±1 as in the ICLR companion (docs/mathematics.md §8).</summary>
public enum OutputInit { Gaussian, Sign }

/// <summary>
/// Where the width scaling lives. Ntk (the paper's, docs/mathematics.md §2): every weight N(0, 1), the factors sqrt(c_σ/m) and
/// c_res/(H√m) in the forward pass. Standard (common practice): every weight N(0, 1/fan_in) (LeCun's normal
/// initialization; PyTorch's default is uniform with the same fan-in, and its default bias init is not zero), no width
/// factor in the forward pass; the ResNet keeps its branch multiplier c_res/H.
/// </summary>
public enum Parameterization { Ntk, Standard }

/// <summary>
/// Everything that fixes a network's shape and parameterization.
/// InputChannels is d (dense inputs) or d₀ (conv); Positions is p (conv only, else 1); KernelSize is q (conv only);
/// Outputs is C; Bias adds zero-initialized biases b1 … bH and b_out; Spiking holds the spiking network's settings (snn only);
/// FeatureWidth is M_H, the width of the last hidden layer (the one that feeds the output layer; fc and resnet only, null: m);
/// BatchNorm normalizes every layer's pre-activations (fc and resnet, standard parameterization; docs/mathematics.md §2.6).
/// </summary>
public sealed record NetworkConfig(
    Architecture Architecture,
    int Depth,
    int Width,
    int InputChannels,
    Activation Activation,
    double CRes = 0.5,
    int Positions = 1,
    int KernelSize = 3,
    OutputInit OutputInit = OutputInit.Gaussian,
    double? CSigmaOverride = null,
    int Outputs = 1,
    Parameterization Parameterization = Parameterization.Ntk,
    bool Bias = false,
    Spiking.SpikingConfig? Spiking = null,
    int? FeatureWidth = null,
    bool BatchNorm = false)
{
    /// <summary>True for the paper's own setting: one output, its parameterization, no biases (kernels, Grams and probes are defined there).</summary>
    public bool IsPapers => Outputs == 1 && Parameterization == Parameterization.Ntk && !Bias;

    /// <summary>M_H, the width of the last hidden layer, whose output Φ the output layer multiplies (docs/mathematics.md §2.5).</summary>
    public int FeatureSize => FeatureWidth ?? Width;

    /// <summary>True when the last hidden layer's width M_H differs from m (docs/mathematics.md §2.5).</summary>
    public bool Widens => FeatureSize != Width;

    /// <summary>m_h, the width of hidden layer h (1-based): m, and M_H for h = H.</summary>
    public int LayerWidth(int h) => h == Depth ? FeatureSize : Width;

    /// <summary>c_σ of the first layer's sqrt(c_σ/m) (and of every fc layer): the activation's, unless overridden
    /// (1 gives the ICLR companion's f = m^(−1/2) Σ a_r σ(w_rᵀx), docs/mathematics.md §8).</summary>
    public double CSigma => CSigmaOverride ?? Activation.CSigma;

    /// <summary>Features per sample: d, or d₀·p for the conv net.</summary>
    public int InputSize => InputChannels * Positions;
}
