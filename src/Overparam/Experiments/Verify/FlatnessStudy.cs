using Overparam.Data;
using Overparam.Measures;
using Overparam.Numerics;
using Overparam.Reports;
using Overparam.Training;

namespace Overparam.Experiments.Verify;

/// <summary>
/// The sizes and hyperparameters of `verify --preset flatness` (docs/mathematics.md §11): two settings, three optimizers
/// at the same number of gradient evaluations, <see cref="Seeds"/> seeds each, and the local energy of every finished
/// run. <see cref="Scaled"/> is the preset at --scale s.
/// </summary>
public sealed record FlatnessConfig
{
    public int Seeds { get; init; } = 5;
    // (a) The Gaussian mixture of docs/mathematics.md §11.4: d = 100, Bayes error 0.1, 500 training and 10k test samples.
    public int MixtureN { get; init; } = 500;
    public int MixtureD { get; init; } = 100;
    public int MixtureTest { get; init; } = 10000;
    public int MixtureEpochs { get; init; } = 30;
    // (b) Fashion-MNIST: the first n training images (all 10 classes, standardized) and the first n_test test images.
    public int FashionN { get; init; } = 10000;
    public int FashionTest { get; init; } = 10000;
    public int FashionEpochs { get; init; } = 20;
    /// <summary>fc d → Width → Width → C (H = 2 hidden layers), ReLU, standard parameterization with biases, cross-entropy.</summary>
    public int Width { get; init; } = 128;
    public int BatchSize { get; init; } = 32;
    /// <summary>SGD's η on the mixture and on Fashion-MNIST (0.05 there oscillates: test error ~90 % after 15 epochs),
    /// also Replicated-SGD's per replica; the momentum of all three.</summary>
    public double MixtureLr { get; init; } = 0.05;
    public double FashionLr { get; init; } = 0.01;
    public double Momentum { get; init; } = 0.9;
    /// <summary>
    /// Entropy-SGD's outer η over SGD's. Its step is η·γ·(w_c − μ), and over L = 5 inner steps with α = 0.75,
    /// w_c − μ ≈ 2.7·η′·∇ (the average's weights on the partial sums), i.e. 0.27∇ at η′ = 0.1; ten times SGD's η makes
    /// that step SGD's 5η∇ over the same 5 gradients at γ ≈ 2, inside the run's γ range.
    /// </summary>
    public double EntropyLrFactor { get; init; } = 10;
    /// <summary>Entropy-SGD: L, η′, ε, α, and the explicit γ0 growing ×γmax.</summary>
    public int InnerSteps { get; init; } = 5;
    public double SgldLr { get; init; } = 0.1;
    public double SgldNoise { get; init; } = 1e-4;
    public double EmaAlpha { get; init; } = 0.75;
    public double EntropyGamma0 { get; init; } = 1;
    public double EntropyGammaMax { get; init; } = 5;
    /// <summary>Replicated-SGD: y, and the explicit γ0 growing ×γmax (exp schedule, per epoch).</summary>
    public int Replicas { get; init; } = 3;
    public double ReplicaGamma0 { get; init; } = 0.3;
    public double ReplicaGammaMax { get; init; } = 10;
    /// <summary>The local energy: the σ grid, M draws, and the σ whose δE is compared and correlated.</summary>
    public double[] Sigmas { get; init; } = Enumerable.Range(0, 21).Select(i => i / 20.0).ToArray();
    public int Draws { get; init; } = 20;
    public double FixedSigma { get; init; } = 0.5;
    /// <summary>Seed of the mixture's data (the same data for every run).</summary>
    public ulong DataSeed { get; init; } = 2026;
    /// <summary>The --scale it was made with (1: the preset).</summary>
    public double Scale { get; init; } = 1;

    public static readonly string[] Settings = ["mixture", "fashion-mnist"];
    public static readonly string[] Optimizers = ["sgd", "entropy-sgd", "replicated-sgd"];

    /// <summary>--scale s: the epochs of both settings and the Fashion-MNIST samples (at most 60k) times s.</summary>
    public static FlatnessConfig Scaled(double s)
    {
        if (!(s > 0 && s <= 6)) throw new RunSpecException($"--scale {s}: the flatness preset takes a scale in (0, 6] (1: 11 min on 2 idle cores; 6: all 60k Fashion-MNIST samples)");
        var d = new FlatnessConfig();
        return d with
        {
            Scale = s, MixtureEpochs = Math.Max(1, (int)Math.Round(d.MixtureEpochs * s)), FashionEpochs = Math.Max(1, (int)Math.Round(d.FashionEpochs * s)),
            FashionN = Math.Min(60000, Math.Max(1000, (int)Math.Round(d.FashionN * s))),
        };
    }

    public int Epochs(string setting) => setting == "mixture" ? MixtureEpochs : FashionEpochs;

    /// <summary>SGD's η (and Replicated-SGD's) in <paramref name="setting"/>.</summary>
    public double Lr(string setting) => setting == "mixture" ? MixtureLr : FashionLr;

    /// <summary>
    /// The run of one cell. Every run takes E·⌈n/B⌉ minibatch gradients: SGD E epochs; Entropy-SGD E·⌈n/B⌉/L outer steps of
    /// L inner steps (the fair budget); Replicated-SGD E·⌈n/B⌉/y steps of y replica gradients. The loss target is 0 so
    /// that no run stops early.
    /// </summary>
    public RunSpec Spec(string setting, string optimizer, int seed)
    {
        var data = setting switch
        {
            "mixture" => new RunSpec { Data = "mixture", N = MixtureN, D = MixtureD, NTest = MixtureTest, DataSeed = DataSeed, Outputs = 2 },
            "fashion-mnist" => new RunSpec { Data = "fashion-mnist", Classes = ClassSelection.All, N = FashionN, NTest = FashionTest, Standardize = true },
            _ => throw new ArgumentException($"setting {setting}"),
        };
        int epochs = Epochs(setting);
        var spec = data with
        {
            Architecture = "fc", Depth = 2, Width = Width, Parameterization = "standard", Bias = true, Activation = "relu",
            BatchSize = BatchSize, Seed = (ulong)seed, Optimizer = optimizer, Momentum = Momentum, Lr = Lr(setting), EvalEvery = 1, TargetLoss = 0,
            Epochs = epochs,
        };
        int stepsPerEpoch = (spec.N + BatchSize - 1) / BatchSize;
        return optimizer switch
        {
            "sgd" => spec,
            "entropy-sgd" => spec with
            {
                Lr = EntropyLrFactor * Lr(setting), InnerSteps = InnerSteps, SgldLr = SgldLr, SgldNoise = SgldNoise, EmaAlpha = EmaAlpha,
                Gamma0 = EntropyGamma0, GammaMax = EntropyGammaMax, FairBudget = true,
            },
            "replicated-sgd" => spec with
            {
                Epochs = null, Steps = Math.Max(1, epochs * stepsPerEpoch / Replicas), Replicas = Replicas,
                Gamma0 = ReplicaGamma0, GammaMax = ReplicaGammaMax,
            },
            _ => throw new ArgumentException($"optimizer {optimizer}"),
        };
    }

    /// <summary>Minibatch gradients per optimizer step: 1, L or y.</summary>
    public int GradientsPerStep(string optimizer) => optimizer switch { "entropy-sgd" => InnerSteps, "replicated-sgd" => Replicas, _ => 1 };
}

/// <summary>One run of the flatness study as the report needs it; <see cref="Finished"/> runs are the ones that count.</summary>
public sealed record FlatnessRunResult(string Setting, string Optimizer, int Seed, TrainingStatus Status, string? Message, string Folder)
{
    public double Seconds { get; init; } = double.NaN;
    public double TestError { get; init; } = double.NaN;
    public double TrainError { get; init; } = double.NaN;
    /// <summary>δE_train(w, σ) at the config's σ grid (mean over the draws), empty when it was not measured.</summary>
    public double[] DeltaE { get; init; } = [];
    /// <summary>The training error at each evaluation against the minibatch gradients taken, in epochs (of ⌈n/B⌉ gradients).</summary>
    public double[] EvalEpochs { get; init; } = [];
    public double[] TrainErrors { get; init; } = [];
    /// <summary>γ at each step against the gradients taken, in epochs (empty for SGD).</summary>
    public double[] GammaEpochs { get; init; } = [];
    public double[] Gamma { get; init; } = [];

    /// <summary>The run ran its whole budget and has a test error and a local energy.</summary>
    public bool Finished => (Status is TrainingStatus.BudgetExhausted or TrainingStatus.Converged) && double.IsFinite(TestError)
        && DeltaE.Length > 0 && DeltaE.All(double.IsFinite);
}

/// <summary>
/// `overparam verify --preset flatness`: Pittorino et al. (ICLR 2021) at a size that runs here — SGD, Entropy-SGD and
/// Replicated-SGD on (a) a Gaussian mixture and (b) Fashion-MNIST, then δE_train of every finished run, and the report
/// of <see cref="FlatnessReport"/>. Runs go two (--threads) at a time, each on one thread (BLAS and element-wise work
/// too), so every run's numbers are those of a one-thread run whatever --threads is.
/// </summary>
public sealed class FlatnessStudy : PresetStudy
{
    private readonly FlatnessConfig? fixedConfig;

    public FlatnessStudy() { }

    /// <summary>A study of other sizes (tests); --scale is then ignored.</summary>
    public FlatnessStudy(FlatnessConfig config) => fixedConfig = config;

    public override string Name => "flatness";

    public override string Description =>
        "flatness (Pittorino et al., ICLR 2021): SGD vs Entropy-SGD vs Replicated-SGD (y = 3) at equal gradient evaluations, 5 seeds each, on a Gaussian mixture and Fashion-MNIST (10k samples, fc 784-128-128-10), with the local energy; 11 min on 2 idle cores (measured); --scale s (in (0, 6]) multiplies the epochs and the Fashion-MNIST samples";

    public override Report Run(PresetContext context)
    {
        var config = fixedConfig ?? FlatnessConfig.Scaled(context.Scale ?? 1);
        if (!File.Exists(Path.Combine(DataSpec.FashionMnistDirectory, "train-images-idx3-ubyte.gz")))
            throw new RunSpecException($"--preset flatness needs Fashion-MNIST in {DataSpec.FashionMnistDirectory} (apt-get install dataset-fashion-mnist)");
        var cells = (from setting in FlatnessConfig.Settings from optimizer in FlatnessConfig.Optimizers
                     from seed in Enumerable.Range(1, config.Seeds) select (setting, optimizer, seed)).ToArray();
        var results = new FlatnessRunResult[cells.Length];
        int workers = Math.Max(1, LinearAlgebra.Backend.Threads), done = 0;
        var (blas, chunks) = (LinearAlgebra.Backend.Threads, Chunks.Threads);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string Label(int i) => $"{cells[i].setting}-{cells[i].optimizer}-s{cells[i].seed}";
        context.Progress?.Report(new StudyProgress(0, cells.Length, Label(0)));
        try
        {
            (LinearAlgebra.Backend.Threads, Chunks.Threads) = (1, 1);
            Parallel.For(0, cells.Length, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = context.Cancel }, i =>
            {
                var (setting, optimizer, seed) = cells[i];
                results[i] = RunOne(config, setting, optimizer, seed, Path.Combine(context.Folder, "runs", Label(i)), context.Cancel);
                int n = Interlocked.Increment(ref done);
                context.Progress?.Report(new StudyProgress(n, cells.Length, n < cells.Length ? $"finished {Label(i)}" : "done"));
            });
        }
        catch (OperationCanceledException) { throw; }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is OperationCanceledException)) { throw new OperationCanceledException(); }
        finally { (LinearAlgebra.Backend.Threads, Chunks.Threads) = (blas, chunks); }
        return FlatnessReport.Build(config, results, clock.Elapsed.TotalSeconds, workers);
    }

    /// <summary>Trains one cell into <paramref name="folder"/>, measures δE_train of a finished run, and reads back its curves.</summary>
    public static FlatnessRunResult RunOne(FlatnessConfig config, string setting, string optimizer, int seed, string folder, CancellationToken cancel)
    {
        RunOutcome outcome;
        try { outcome = RunExecutor.Execute(config.Spec(setting, optimizer, seed), folder, null, cancel); }
        catch (OperationCanceledException) { throw; }
        catch (Exception e) when (e is RunSpecException or ArgumentException or InvalidOperationException or IOException)
        {
            return new FlatnessRunResult(setting, optimizer, seed, TrainingStatus.Failed, e.Message, folder);
        }
        cancel.ThrowIfCancellationRequested();
        var metrics = MetricsTable.Read(Path.Combine(folder, "metrics.csv"));
        var result = new FlatnessRunResult(setting, optimizer, seed, outcome.Status, outcome.Message, folder)
        {
            Seconds = outcome.Seconds, TestError = metrics.Last(MetricColumns.TestError), TrainError = metrics.Last(MetricColumns.TrainError),
        };
        double perEpoch = config.GradientsPerStep(optimizer) / (double)((config.Spec(setting, optimizer, seed).N + config.BatchSize - 1) / config.BatchSize);
        var (evalSteps, trainErrors) = metrics.Probed(MetricColumns.TrainError);
        result = result with { EvalEpochs = evalSteps.Select(s => s * perEpoch).ToArray(), TrainErrors = trainErrors };
        if (metrics.Has(MetricColumns.Gamma))
        {
            var (gammaSteps, gamma) = metrics.Probed(MetricColumns.Gamma);
            result = result with { GammaEpochs = gammaSteps.Select(s => s * perEpoch).ToArray(), Gamma = gamma };
        }
        if (outcome.Status is not (TrainingStatus.BudgetExhausted or TrainingStatus.Converged)) return result;
        var options = new LocalEnergyOptions(config.Sigmas, config.Draws, (ulong)seed) { Threads = 1 };
        var curve = FlatnessRun.Measure(new FlatnessRun.Request(folder, "final", "train-error", options));
        FlatnessRun.WriteCsv(folder, FlatnessRun.Name("final", "train-error"), curve);
        return result with { DeltaE = curve.Points.Select(p => p.Mean).ToArray() };
    }
}
