using System.Numerics;
using Overparam.Architectures;
using Overparam.Numerics;

namespace Overparam.Measures;

/// <summary>δE at one σ: the mean over the draws and its standard error (sd/√M with the sample sd; NaN for M = 1).</summary>
public sealed record LocalEnergyPoint(double Sigma, double Mean, double StandardError);

/// <summary>E(w) and δE(w, σ) on a grid of σ.</summary>
public sealed record LocalEnergyCurve(double Energy, IReadOnlyList<LocalEnergyPoint> Points);

/// <summary>
/// How <see cref="LocalEnergy.Measure"/> perturbs: the σ grid, M draws per σ, the seed, which parameters (all by default,
/// as the code lineage's <c>create_perturb</c> perturbs every parameter; biases and the output layer a, b_out can be
/// left out) and the threads the draws run on.
/// </summary>
public sealed record LocalEnergyOptions(IReadOnlyList<double> Sigmas, int Draws, ulong Seed)
{
    public bool PerturbBiases { get; init; } = true;
    public bool PerturbOutputLayer { get; init; } = true;
    public int Threads { get; init; } = 1;

    /// <summary>True when parameter <paramref name="name"/> is perturbed.</summary>
    public bool Perturbs(string name) =>
        (PerturbBiases || !NetworkFactory.IsBias(name)) && (PerturbOutputLayer || name is not ("a" or "b_out"));
}

/// <summary>
/// The local energy of Pittorino et al. (ICLR 2021), docs/mathematics.md §11.1, a flatness measure:
/// <code>
/// δE(w, σ) = E_ξ[ E(w ⊙ (1 + σ ξ)) ] − E(w),   ξ ~ N(0, I), one normal per perturbed weight
/// </code>
/// with E the training error (misclassification rate) in the paper, or another energy (the loss, the test error). The
/// noise is multiplicative, so the measure does not change when a layer is rescaled. The expectation is the mean over M
/// draws ξ_1 … ξ_M. Draw j is the same for every σ (common random numbers, so a curve is smooth in σ): xoshiro256**
/// seeded by seed ^ (0xD1B54A32D192ED03·(j + 1)), normals by the polar method, for the perturbed parameters in order,
/// each in row-major order. δE is the mean of E(w ⊙ (1 + σξ_j)) − E(w) over j, so δE(w, 0) = 0 exactly, since
/// w ⊙ (1 + 0·ξ) = w.
/// <para>
/// The draws run on <see cref="LocalEnergyOptions.Threads"/> threads, each with its own network over its own copy of
/// the weights; each draw's energies depend on nothing but j, and the means sum the draws in order, so the numbers are
/// the same for any number of threads. With more than one, give BLAS and the element-wise work one thread each
/// (as `overparam flatness` does) so the cores are not oversubscribed.
/// </para>
/// </summary>
public static class LocalEnergy
{
    /// <param name="weights">w, the network's parameters.</param>
    /// <param name="build">A network over given parameters (of the names and shapes of <paramref name="weights"/>).</param>
    /// <param name="energy">E of a network; called from several threads at once, each with its own network.</param>
    public static LocalEnergyCurve Measure<T>(IReadOnlyList<Parameter<T>> weights, Func<IReadOnlyList<Parameter<T>>, IModel<T>> build,
        Func<IModel<T>, double> energy, LocalEnergyOptions options) where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (double s in options.Sigmas)
            if (!(s >= 0 && double.IsFinite(s))) throw new ArgumentException($"--sigmas: σ = {s} must be a finite number ≥ 0");
        if (options.Sigmas.Count == 0) throw new ArgumentException("--sigmas: no σ given");
        if (options.Draws < 1) throw new ArgumentException($"--draws {options.Draws}: must be at least 1");
        if (options.Threads < 1) throw new ArgumentException($"--threads {options.Threads}: must be at least 1");

        double e0 = energy(build(Copy(weights)));
        int sigmas = options.Sigmas.Count;
        var e = new double[sigmas, options.Draws];
        Parallel.For(0, options.Draws, new ParallelOptions { MaxDegreeOfParallelism = options.Threads },
            () =>
            {
                var own = Copy(weights);
                return (Weights: own, Model: build(own));
            },
            (j, _, worker) =>
            {
                var xi = Directions(weights, options, j);
                for (int s = 0; s < sigmas; s++)
                {
                    Perturb(weights, worker.Weights, xi, options.Sigmas[s]);
                    e[s, j] = energy(worker.Model);
                }
                return worker;
            },
            _ => { });
        var points = new LocalEnergyPoint[sigmas];
        for (int s = 0; s < sigmas; s++)
        {
            double sum = 0;
            for (int j = 0; j < options.Draws; j++) sum += e[s, j] - e0;
            double mean = sum / options.Draws, squares = 0;
            for (int j = 0; j < options.Draws; j++) squares += (e[s, j] - e0 - mean) * (e[s, j] - e0 - mean);
            double se = options.Draws > 1 ? Math.Sqrt(squares / (options.Draws - 1) / options.Draws) : double.NaN;
            points[s] = new LocalEnergyPoint(options.Sigmas[s], mean, se);
        }
        return new LocalEnergyCurve(e0, points);
    }

    private static Parameter<T>[] Copy<T>(IReadOnlyList<Parameter<T>> weights) where T : unmanaged, IFloatingPointIeee754<T> =>
        weights.Select(p => new Parameter<T>(p.Name, p.Shape, (T[])p.Value.Clone())).ToArray();

    /// <summary>ξ_j: one N(0, 1) per entry of each perturbed parameter (null for the others).</summary>
    private static double[]?[] Directions<T>(IReadOnlyList<Parameter<T>> weights, LocalEnergyOptions options, int j) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new GaussianRng(options.Seed ^ (0xD1B54A32D192ED03UL * (ulong)(j + 1)));
        return weights.Select(p =>
        {
            if (!options.Perturbs(p.Name)) return null;
            var xi = new double[p.Value.Length];
            rng.FillGaussian(xi);
            return xi;
        }).ToArray();
    }

    /// <summary>target = w ⊙ (1 + σ ξ) for the perturbed parameters, w for the others.</summary>
    private static void Perturb<T>(IReadOnlyList<Parameter<T>> weights, Parameter<T>[] target, double[]?[] xi, double sigma)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int p = 0; p < weights.Count; p++)
        {
            T[] w = weights[p].Value, v = target[p].Value;
            if (xi[p] is not { } z) { w.CopyTo(v, 0); continue; }
            for (int i = 0; i < w.Length; i++) v[i] = w[i] * T.CreateTruncating(1 + sigma * z[i]);
        }
    }
}
