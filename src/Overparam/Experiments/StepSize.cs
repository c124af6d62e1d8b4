using Overparam.Architectures;
using Overparam.Numerics;

namespace Overparam.Experiments;

/// <summary>The step size η and how it was chosen (recorded in config.json).</summary>
public sealed record StepSize(double Eta, string Policy, string How)
{
    /// <summary>
    /// fixed: η = --lr. theory: the architecture's <see cref="Architecture.TheoryStep"/>, η = c·λ₀/n² (fc, Theorem 5.1) or
    /// c·λ₀H²/n² (resnet, conv; Theorems 6.1, 7.1), with the theorems' unknown constant c = --lr-constant. stable: η = c/λ_max(G(0)) with G(0) the NTK of the trained parameters.
    /// </summary>
    public static StepSize Choose(RunSpec spec, NetworkConfig config, int n, double? lambda0, Func<double> lambdaMaxOfG0)
    {
        double c = spec.LrConstant;
        switch (spec.LrPolicy)
        {
            case "fixed":
                if (!(spec.Lr > 0)) throw new RunSpecException($"--lr {spec.Lr}: must be positive");
                return new StepSize(spec.Lr, "fixed", "given by --lr");
            case "theory":
            {
                double l0 = lambda0 ?? throw new InvalidOperationException("the theory policy needs λ₀");
                var theorem = config.Architecture.TheoryStep(config)
                    ?? throw new RunSpecException($"--lr-policy theory: no theorem gives a step size for {config.Architecture.Name}; use stable or fixed");
                double eta = c * l0 * theorem.Factor / ((double)n * n);
                return new StepSize(eta, "theory", $"η = {theorem.Formula} with c = {c:G6}, λ₀ = {l0:G6}, n = {n}" + theorem.Symbols);
            }
            case "stable":
            {
                double lmax = lambdaMaxOfG0();
                return new StepSize(c / lmax, "stable", $"η = c/λ_max(G(0)) with c = {c:G6}, λ_max(G(0)) = {lmax:G6} (GD on the linearized model is stable for c < 2)");
            }
            default:
                throw new RunSpecException($"--lr-policy {spec.LrPolicy}: expected {Choices.Or(Choices.LrPolicies)}");
        }
    }

    /// <summary>G = Σ_h G^(h) over the trained parameters (the NTK that drives u(k); docs/mathematics.md §5).</summary>
    public static Matrix<double> TrainedNtk(Matrix<double>[] grams, IReadOnlyList<bool> trained)
    {
        var g = new Matrix<double>(grams[0].Rows, grams[0].Cols);
        for (int h = 0; h < grams.Length; h++)
            if (trained[h]) System.Numerics.Tensors.TensorPrimitives.Add(g.Data, grams[h].Data, g.Data);
        return g;
    }
}
