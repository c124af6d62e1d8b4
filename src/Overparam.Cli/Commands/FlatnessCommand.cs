using System.CommandLine;
using Overparam.Experiments;
using Overparam.Measures;

namespace Overparam.Cli.Commands;

/// <summary>
/// `overparam flatness --run DIR`: the local energy δE(w, σ) = E_ξ[E(w ⊙ (1 + σξ))] − E(w) of a saved network
/// (docs/mathematics.md §11.1, <see cref="LocalEnergy"/>), written into the run folder (<see cref="FlatnessRun"/>). The draws run
/// on --threads threads, with BLAS and the element-wise work on one thread each, so the numbers do not depend on it.
/// </summary>
public static class FlatnessCommand
{
    /// <summary>The default σ grid: 0, 0.05, …, 1.</summary>
    public static readonly IReadOnlyList<double> DefaultSigmas = Enumerable.Range(0, 21).Select(i => i / 20.0).ToArray();

    public static Command Create()
    {
        var run = new Option<string>("--run") { Description = "A run folder written by `overparam train`", Required = true };
        var weights = new Option<string>("--weights") { Description = "final, init or replica-K (replica K of a replicated-sgd run; final is its centre)", DefaultValueFactory = _ => "final" };
        var sigmas = new Option<string?>("--sigmas") { Description = "The noise levels sigma >= 0, comma-separated (default 0,0.05,...,1)" };
        var draws = new Option<int>("--draws") { Description = "M, draws of xi ~ N(0, I) per sigma (the same M directions for every sigma)", DefaultValueFactory = _ => 20 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the draws (xoshiro256** + polar method)", DefaultValueFactory = _ => 1 };
        var energy = new Option<string>("--energy") { Description = $"E: {Choices.Or(FlatnessRun.Energies)} (the paper's: train-error)", DefaultValueFactory = _ => "train-error" };
        var biases = new Option<bool>("--perturb-biases") { Description = "Perturb the biases too (--perturb-biases false: keep them)", DefaultValueFactory = _ => true };
        var output = new Option<bool>("--perturb-output") { Description = "Perturb the output layer a, b_out too (--perturb-output false: keep it)", DefaultValueFactory = _ => true };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an existing flatness CSV of the same weights and energy" };
        var threads = CommonOptions.Threads();
        threads.Description = "Threads the draws run on (BLAS and element-wise work use one each)";
        var command = new Command("flatness", "Local energy dE(w, sigma) = E[E(w*(1 + sigma*xi))] - E(w) of a saved network, a flatness measure (Pittorino et al. 2021): flatness.csv and a plot in the run folder");
        foreach (var o in new Option[] { run, weights, sigmas, draws, seed, energy, biases, output, overwrite, threads }) command.Options.Add(o);
        command.SetAction(r => CommonOptions.Guard(() =>
        {
            int workers = r.GetValue(threads);
            if (workers < 1) throw new RunSpecException($"--threads {workers}: must be at least 1");
            CommonOptions.ApplyThreads(1);                      // the draws run in parallel instead
            var dir = r.GetValue(run)!;
            var grid = r.GetValue(sigmas) is { } text ? SpecOptions.Numbers("--sigmas", text) : DefaultSigmas;
            var options = new LocalEnergyOptions(grid, r.GetValue(draws), r.GetValue(seed))
            {
                PerturbBiases = r.GetValue(biases), PerturbOutputLayer = r.GetValue(output), Threads = workers,
            };
            string which = r.GetValue(weights)!, e = r.GetValue(energy)!, name = FlatnessRun.Name(which, e);
            FlatnessRun.CheckTarget(dir, name, r.GetValue(overwrite));
            var curve = FlatnessRun.Measure(new FlatnessRun.Request(dir, which, e, options));
            Console.WriteLine($"E(w) = {curve.Energy:G6} ({e}, {which} weights)");
            Console.WriteLine("sigma       dE          standard error");
            foreach (var p in curve.Points) Console.WriteLine($"{p.Sigma,-11:G4} {p.Mean,-11:G5} {p.StandardError:G3}");
            Console.WriteLine($"wrote {FlatnessRun.Write(dir, name, curve, which, e)} and {name}-plot.png/.svg");
            return 0;
        }));
        return command;
    }
}
