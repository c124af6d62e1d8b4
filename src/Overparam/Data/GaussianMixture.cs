using Overparam.Numerics;

namespace Overparam.Data;

/// <summary>
/// The binary Gaussian mixture with a known Bayes error (<c>--data mixture</c>): y ∈ {−1, +1} equiprobable and
/// x = y·μ + z with z ~ N(0, I). The Bayes rule is sign(μᵀx) and it errs with probability Φ(−‖μ‖), so ‖μ‖ = −Φ⁻¹(ε)
/// gives Bayes error ε. The direction of μ is e/‖e‖ with e ~ N(0, I), drawn from GaussianRng(seed ^ 0xD12EC7), so every
/// sample of one mixture (training set, test set) shares it.
/// </summary>
public sealed class GaussianMixture
{
    /// <summary>The class mean μ (class +1 is centred at μ, class −1 at −μ).</summary>
    public double[] Mean { get; }

    /// <summary>‖μ‖ = −Φ⁻¹(<see cref="BayesError"/>).</summary>
    public double MeanNorm { get; }

    /// <summary>The requested Bayes error ε, in (0, ½].</summary>
    public double BayesError { get; }

    /// <summary>Inputs have this shape ([d], or [d0, p] for the conv net).</summary>
    public int[] InputShape { get; }

    /// <summary>Builds the mixture for inputs of <paramref name="inputShape"/>; μ's direction comes from <paramref name="seed"/>.</summary>
    public GaussianMixture(int[] inputShape, double bayesError, ulong seed)
    {
        if (!(bayesError > 0 && bayesError <= 0.5))
            throw new ArgumentOutOfRangeException(nameof(bayesError), $"Bayes error {bayesError}: must be in (0, 0.5]");
        int features = checked(inputShape.Aggregate(1, (a, b) => a * b));
        InputShape = (int[])inputShape.Clone();
        BayesError = bayesError;
        MeanNorm = -NormalDistribution.Quantile(bayesError);
        var e = new double[features];
        new GaussianRng(seed ^ 0xD12EC7UL).FillGaussian(e);
        double norm = System.Numerics.Tensors.TensorPrimitives.Norm((ReadOnlySpan<double>)e);
        Mean = e.Select(v => MeanNorm * v / norm).ToArray();
    }

    /// <summary>
    /// n samples with labels ±1, from GaussianRng(<paramref name="seed"/>): first the noise z_1 … z_n (n·features N(0, 1)
    /// draws, row by row), then the labels y_1 … y_n (<see cref="GaussianRng.NextSign"/>); x_i = y_i·μ + z_i.
    /// </summary>
    public Dataset Sample(int n, ulong seed)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), $"n = {n}: need at least one sample");
        var rng = new GaussianRng(seed);
        var x = new Matrix<double>(n, Mean.Length);
        rng.FillGaussian(x.Data);
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = rng.NextSign();
            var row = x.Row(i);
            for (int j = 0; j < row.Length; j++) row[j] += y[i] * Mean[j];
        }
        return new Dataset(x, y, InputShape, $"gaussian mixture: n={n}, seed={seed}, ||mu||={MeanNorm:R}, Bayes error {BayesError:R}");
    }

    /// <summary>The Bayes rule's prediction for <paramref name="x"/>: sign(μᵀx), +1 at 0.</summary>
    public double BayesRule(ReadOnlySpan<double> x) => System.Numerics.Tensors.TensorPrimitives.Dot(x, Mean) >= 0 ? 1.0 : -1.0;
}
