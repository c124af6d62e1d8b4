using Overparam.Architectures;
using Overparam.Architectures.FullyConnected;
using Overparam.Data;
using Overparam.Kernels;
using Overparam.Numerics;

namespace Overparam.Experiments;

/// <summary>
/// The infinite-width quantities a run is compared with: λ₀ = λ_min(K^(H)) and, for fc and resnet, the limits of every
/// G^(h) (so that Θ restricted to the trained layers predicts the loss curve; docs/mathematics.md §4, §5).
/// </summary>
public sealed record TheoryQuantities(double Lambda0, KernelResult Kernel)
{
    public static TheoryQuantities Compute(NetworkConfig config, Dataset data)
    {
        if (config.Architecture.KernelUnavailable(config) is { } reason) throw new RunSpecException(reason);
        MemoryBudget.Ensure($"the kernels of n = {data.Count} samples (--n)", MemoryBudget.Kernel(config, data.Count));
        var options = KernelOptions.Default with { KeepLayerGrams = true, ComputeSpectra = false };
        var kernel = config.Architecture.Kernel(config, data.X, options);
        if (config.CSigmaOverride is double c && c != config.Activation.CSigma)
        {
            // Only the two-layer model of the ICLR companion overrides c_σ; there every limit is linear in c_σ.
            if (config.Depth != 1 || config.Architecture is not FullyConnectedArchitecture)
                throw new RunSpecException("a c_σ override is supported for the two-layer fully-connected model only (depth 1)");
            kernel = Scale(kernel, c / config.Activation.CSigma);
        }
        return new TheoryQuantities(kernel.Lambda0, kernel);
    }

    /// <summary>Θ restricted to the trained parameters: Σ_{h trained} lim G^(h); null when the limits are not available.</summary>
    public Matrix<double>? TrainedTheta(IReadOnlyList<bool> trained)
    {
        if (Kernel.LayerGrams is not { } layers) return null;
        return StepSize.TrainedNtk(layers, trained);
    }

    private static KernelResult Scale(KernelResult k, double f)
    {
        Matrix<double>? S(Matrix<double>? m)
        {
            if (m is null) return null;
            var r = m.Clone();
            System.Numerics.Tensors.TensorPrimitives.Multiply(r.Data, f, r.Data);
            return r;
        }
        // For H = 1: K^(1) and lim G^(1) carry one factor c_σ, lim G^(2) = c_σ E[σσ] too; K^(0) carries none.
        return k with
        {
            KH = S(k.KH)!,
            Lambda0 = k.Lambda0 * f,
            Theta = S(k.Theta),
            LayerGrams = k.LayerGrams?.Select(m => S(m)!).ToArray(),
            K = k.K is null ? null : [k.K[0], .. k.K.Skip(1).Select(m => S(m)!)],
            ConjugateKernel = S(k.ConjugateKernel),
            Tensors = k.Tensors.Select(t => t.Name == "K0" ? t : t with { Data = t.Data.Select(v => v * f).ToArray() }).ToList(),
        };
    }
}
