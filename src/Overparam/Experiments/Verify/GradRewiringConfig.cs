namespace Overparam.Experiments.Verify;

/// <summary>
/// The sizes of `verify --preset gradr` (docs/mathematics.md §15–16). The defaults are the quick preset: 784 → 256 → 10
/// on the first 2,000 Fashion-MNIST training images for 10 epochs, tested on the first 1,000 test images;
/// <see cref="Scaled"/> is the preset at --scale s. Other sizes are for tests.
/// </summary>
public sealed record GradRewiringConfig
{
    /// <summary>Hidden LIF neurons of the 784 → Width → 10 network.</summary>
    public int Width { get; init; } = 256;
    /// <summary>The first N training images, and the first NTest test images (null: all 10,000).</summary>
    public int N { get; init; } = 2000;
    public int? NTest { get; init; } = 1000;
    public int Epochs { get; init; } = 10;
    public int BatchSize { get; init; } = 64;
    /// <summary>T, the time steps of every run.</summary>
    public int TimeSteps { get; init; } = 8;
    /// <summary>Adam's learning rate, also Grad R's and Deep R's.</summary>
    public double Lr { get; init; } = 1e-3;
    /// <summary>The α grid of Grad R at p = <see cref="Sparsity"/> (0 included: the redefined gradient alone).</summary>
    public double[] Alphas { get; init; } = [0, 0.03, 0.1, 0.3, 1];
    /// <summary>The α of the true-gradient ablation and of the regrowth claim; one of <see cref="Alphas"/>.</summary>
    public double AblationAlpha { get; init; } = 0.3;
    /// <summary>p, Grad R's target sparsity.</summary>
    public double Sparsity { get; init; } = 0.95;
    public ulong[] Seeds { get; init; } = [1, 2, 3];

    /// <summary>--scale s: the authors' 784 → 800 → 10 on the first ⌈60,000·s⌉ training images (s = 1: all) and all 10,000 test images, 20 epochs.</summary>
    public static GradRewiringConfig Scaled(double s)
    {
        if (!(s > 0 && s <= 1)) throw new RunSpecException($"--scale {s}: must be in (0, 1]");
        return new GradRewiringConfig { Width = 800, N = (int)Math.Ceiling(60000 * s), NTest = null, Epochs = 20 };
    }

    /// <summary>Throws <see cref="ArgumentException"/> when the ablation's α is not on the grid (the regrowth claim compares the two at that α).</summary>
    public void Check()
    {
        if (!Alphas.Contains(AblationAlpha)) throw new ArgumentException($"the ablation's α {AblationAlpha} is not one of the grid's {string.Join(", ", Alphas)}");
        if (Seeds.Length == 0) throw new ArgumentException("no seeds");
    }
}
