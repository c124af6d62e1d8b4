using Overparam.Data;
using Overparam.Numerics;
using Overparam.Reports;
using Overparam.Training;

namespace Overparam.Experiments.Verify;

/// <summary>
/// The sizes and hyperparameters of `verify --preset recipe` (Kawaguchi &amp; Sun 2021; docs/mathematics.md §14): base SGD
/// with momentum against A(SGD) at the same hyperparameters and total epochs, <see cref="Seeds"/> seeds, on each data set
/// of <see cref="DataSets"/> without and with batch norm. <see cref="Spec"/> is the one place the architecture is chosen. <see cref="Scaled"/> is the
/// preset at --scale s.
/// </summary>
public sealed record RecipeConfig
{
    public int Seeds { get; init; } = 5;
    /// <summary>Training samples (below the feature width, so rank Φ = n is possible) and test samples.</summary>
    public int N { get; init; } = 1000;
    public int NTest { get; init; } = 2000;
    /// <summary>
    /// The residual MLP with a single wide last layer: d → Width (layer 1), Depth − 2 residual blocks at Width, a widening
    /// layer Width → FeatureWidth (M_H, no skip), a linear output; softplus throughout (analytic, docs/mathematics.md §2.5).
    /// </summary>
    public int Depth { get; init; } = 4;
    public int Width { get; init; } = 256;
    public int FeatureWidth { get; init; } = 1536;
    /// <summary>Total epochs of both methods; A(SGD) switches at <see cref="Tau"/> (epochs).</summary>
    public int Epochs { get; init; } = 60;
    public int Tau { get; init; } = 30;
    public int BatchSize { get; init; } = 64;
    /// <summary>
    /// SGD's η (cosine schedule) and momentum. η = 0.05 (the usual choice with batch norm) collapses Φ numerically within
    /// three epochs without batch norm (measured: rank 945 of 1000, σ_min 3e-13 on Fashion-MNIST), so the preset uses 0.01.
    /// </summary>
    public double Lr { get; init; } = 0.01;
    public double Momentum { get; init; } = 0.9;
    /// <summary>Evaluation (training and test loss and error) every this many epochs and at the end.</summary>
    public int EvalEvery { get; init; } = 5;
    /// <summary>The Gaussian mixture: dimension, Bayes error, and the data seed (the same data for every run).</summary>
    public int MixtureD { get; init; } = 64;
    public double MixtureBayesError { get; init; } = 0.01;
    public ulong DataSeed { get; init; } = 2026;
    /// <summary>The --scale it was made with (1: the preset).</summary>
    public double Scale { get; init; } = 1;

    public static readonly string[] DataSets = ["fashion-mnist", "mixture"];
    public static readonly string[] Methods = ["sgd", "two-phase"];
    public static readonly bool[] BatchNorms = [false, true];

    /// <summary>--scale s in (0, 2]: n, the test set, both widths, the batch and the epochs (τ at half) times s; at least 2 epochs.</summary>
    public static RecipeConfig Scaled(double s)
    {
        if (!(s > 0 && s <= 2)) throw new RunSpecException($"--scale {s}: the recipe preset takes a scale in (0, 2] (1: n = 1000, M_H = 1536, 60 epochs)");
        var d = new RecipeConfig();
        int epochs = Math.Max(2, (int)Math.Round(d.Epochs * s));
        return d with
        {
            Scale = s, N = Math.Max(16, (int)Math.Round(d.N * s)), NTest = Math.Max(20, (int)Math.Round(d.NTest * s)),
            Width = Math.Max(8, (int)Math.Round(d.Width * s)), FeatureWidth = Math.Max(24, (int)Math.Round(d.FeatureWidth * s)),
            BatchSize = Math.Max(4, (int)Math.Round(d.BatchSize * s)), Epochs = epochs, Tau = epochs / 2, EvalEvery = Math.Max(1, (int)Math.Round(d.EvalEvery * s)),
        };
    }

    /// <summary>
    /// The run of one cell: the data set, then the network (with batch norm, PyTorch's BatchNorm1d on every layer's
    /// pre-activation, docs/mathematics.md §2.6) and SGD shared by both methods, then A(SGD)'s switch.
    /// </summary>
    public RunSpec Spec(string dataSet, bool batchNorm, string method, int seed)
    {
        var data = dataSet switch
        {
            "fashion-mnist" => new RunSpec { Data = "fashion-mnist", Classes = ClassSelection.All, N = N, NTest = NTest, Standardize = true },
            "mixture" => new RunSpec { Data = "mixture", N = N, D = MixtureD, NTest = NTest, BayesError = MixtureBayesError, DataSeed = DataSeed, Outputs = 2 },
            _ => throw new ArgumentException($"data set {dataSet}"),
        };
        var spec = data with
        {
            Architecture = "resnet", Depth = Depth, Width = Width, FeatureWidth = FeatureWidth, Activation = "softplus", BatchNorm = batchNorm,
            Parameterization = "standard", Bias = true, Loss = "cross-entropy",
            Optimizer = "sgd", Momentum = Momentum, Lr = Lr, LrSchedule = "cosine", BatchSize = BatchSize, Epochs = Epochs,
            Seed = (ulong)seed, EvalEvery = EvalEvery, TargetLoss = 0,
        };
        return method switch
        {
            "sgd" => spec,
            "two-phase" => spec with { TwoPhaseAt = Tau },
            _ => throw new ArgumentException($"method {method}"),
        };
    }

    /// <summary>Optimizer steps per epoch, ⌈n/B⌉.</summary>
    public int StepsPerEpoch => (N + BatchSize - 1) / BatchSize;
}

/// <summary>One run of the recipe study as the report needs it; only <see cref="Finished"/> runs count.</summary>
public sealed record RecipeRun(string DataSet, bool BatchNorm, string Method, int Seed, TrainingStatus Status, string? Message, string Folder)
{
    /// <summary>The row of Table 1 the run belongs to: the data set, with or without batch norm.</summary>
    public string Setting => Label(DataSet, BatchNorm);

    public static string Label(string dataSet, bool batchNorm) => batchNorm ? dataSet + "-bn" : dataSet;

    public double TestError { get; init; } = double.NaN;
    public double TrainError { get; init; } = double.NaN;
    /// <summary>The evaluations: epoch, loss and error on the whole training set.</summary>
    public double[] EvalEpochs { get; init; } = [];
    public double[] TrainLoss { get; init; } = [];
    public double[] TrainErrors { get; init; } = [];
    /// <summary>The minibatch loss of every step (metrics.csv's loss): equal arrays mean equal trajectories.</summary>
    public double[] StepLoss { get; init; } = [];
    /// <summary>A(SGD): whether the condition was checked at τ and held, rank Φ_τ, s_τ, and the rule's rejections.</summary>
    public bool ConditionChecked { get; init; }
    public bool ConditionHolds { get; init; }
    public int Rank { get; init; }
    public double STau { get; init; } = double.NaN;
    public int Rejections { get; init; }
    /// <summary>A(SGD) in phase 2, at each epoch's end: σ_min(Φ_t)/s_τ of the kept hidden weights and of the tried update.</summary>
    public double[] Phase2Epochs { get; init; } = [];
    public double[] SigmaRatio { get; init; } = [];
    public double[] SigmaRatioTried { get; init; } = [];

    /// <summary>The run ran its whole budget and has a test error.</summary>
    public bool Finished => Status is TrainingStatus.BudgetExhausted or TrainingStatus.Converged && double.IsFinite(TestError) && double.IsFinite(TrainError);

    /// <summary>A finished A(SGD) run whose phase 2 ran (the condition held at τ).</summary>
    public bool RanPhase2 => Finished && Method == "two-phase" && ConditionHolds;
}

/// <summary>
/// `overparam verify --preset recipe`: Kawaguchi &amp; Sun (AAAI 2021) at a size that runs here — base SGD with momentum
/// vs its two-phase modification A(SGD) (the reconstruction of docs/mathematics.md §14, not the paper's verbatim
/// Algorithm 1) on Fashion-MNIST and a Gaussian mixture, then the report of <see cref="RecipeReport"/>. Runs go two
/// (--threads) at a time, each on one thread, so every run's numbers are a one-thread run's whatever --threads is.
/// </summary>
public sealed class RecipeStudy : PresetStudy
{
    public override string Name => "recipe";

    public override string Description =>
        "recipe (Kawaguchi & Sun, AAAI 2021): SGD with momentum vs A(SGD), the two-phase rule (a reconstruction, not the paper's verbatim Algorithm 1), "
        + "same hyperparameters and epochs (60, tau = 30), 5 seeds, on 1000 Fashion-MNIST images and a Gaussian mixture, without and with batch norm, residual MLP with a 1536-wide softplus last layer; 5 min 11 s on the 2 quiet cores (measured; 24 min at load 20-36); "
        + "--scale s (in (0, 2]) multiplies n, the widths and the epochs";

    public override Report Run(PresetContext context)
    {
        var config = RecipeConfig.Scaled(context.Scale ?? 1);
        bool fashion = IdxData.HasPart(DataSpec.FashionMnistDirectory, IdxPart.Train) && IdxData.HasPart(DataSpec.FashionMnistDirectory, IdxPart.Test);
        var dataSets = RecipeConfig.DataSets.Where(d => d != "fashion-mnist" || fashion).ToArray();
        var cells = (from d in dataSets from bn in RecipeConfig.BatchNorms from m in RecipeConfig.Methods from seed in Enumerable.Range(1, config.Seeds)
                     select (d, bn, m, seed)).ToArray();
        var results = new RecipeRun[cells.Length];
        int workers = Math.Max(1, LinearAlgebra.Backend.Threads), done = 0;
        var (blas, chunks) = (LinearAlgebra.Backend.Threads, Chunks.Threads);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string Label(int i) => $"{RecipeRun.Label(cells[i].d, cells[i].bn)}-{cells[i].m}-s{cells[i].seed}";
        context.Progress?.Report(new StudyProgress(0, cells.Length, Label(0)));
        try
        {
            (LinearAlgebra.Backend.Threads, Chunks.Threads) = (1, 1);
            Parallel.For(0, cells.Length, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = context.Cancel }, i =>
            {
                var (d, bn, m, seed) = cells[i];
                results[i] = RunOne(config, d, bn, m, seed, Path.Combine(context.Folder, "runs", Label(i)), context.Cancel);
                int n = Interlocked.Increment(ref done);
                context.Progress?.Report(new StudyProgress(n, cells.Length, n < cells.Length ? $"finished {Label(i)}" : "done"));
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is OperationCanceledException)) { throw new OperationCanceledException(); }
        finally { (LinearAlgebra.Backend.Threads, Chunks.Threads) = (blas, chunks); }
        var notRun = fashion ? [] : new[] { $"Fashion-MNIST: not run, {DataSpec.FashionMnistDirectory} has no training and test files (Debian's dataset-fashion-mnist)." };
        return RecipeReport.Build(config, results, clock.Elapsed.TotalSeconds, workers, notRun);
    }

    /// <summary>Trains one cell into <paramref name="folder"/> and reads its evaluations and the two-phase columns back.</summary>
    public static RecipeRun RunOne(RecipeConfig config, string dataSet, bool batchNorm, string method, int seed, string folder, CancellationToken cancel)
    {
        RunOutcome outcome;
        try { outcome = RunExecutor.Execute(config.Spec(dataSet, batchNorm, method, seed), folder, null, cancel); }
        catch (OperationCanceledException) { throw; }
        catch (Exception e) when (e is RunSpecException or ArgumentException or InvalidOperationException or IOException or ArithmeticException)
        {
            return new RecipeRun(dataSet, batchNorm, method, seed, TrainingStatus.Failed, e.Message, folder);
        }
        var metrics = MetricsTable.Read(Path.Combine(folder, "metrics.csv"));
        double perEpoch = config.StepsPerEpoch;
        var (evalSteps, trainLoss) = metrics.Probed(MetricColumns.TrainLoss);
        var run = new RecipeRun(dataSet, batchNorm, method, seed, outcome.Status, outcome.Message, folder)
        {
            TestError = metrics.Last(MetricColumns.TestError), TrainError = metrics.Last(MetricColumns.TrainError),
            EvalEpochs = evalSteps.Select(s => s / perEpoch).ToArray(), TrainLoss = trainLoss, TrainErrors = metrics.Probed(MetricColumns.TrainError).Values,
            StepLoss = metrics[MetricColumns.Loss],
        };
        if (method != "two-phase") return run;
        double F(string key) => outcome.Final.TryGetValue(key, out var v) ? v : double.NaN;
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(folder, TwoPhaseRecord<double>.FileName)))!;
        var phase = metrics[MetricColumns.Phase];
        var epochEnds = Enumerable.Range(config.Tau + 1, Math.Max(0, config.Epochs - config.Tau)).Select(e => e * config.StepsPerEpoch)
            .Where(k => k < phase.Length && phase[k] == 2).ToArray();
        return run with
        {
            ConditionChecked = F("condition_checked") == 1, ConditionHolds = F("condition_holds") == 1,
            Rank = json["rank"]?.GetValue<int>() ?? 0, STau = F(MetricColumns.STau), Rejections = (int)F("rejections"),
            Phase2Epochs = epochEnds.Select(k => k / perEpoch).ToArray(),
            SigmaRatio = epochEnds.Select(k => metrics[MetricColumns.SigmaRatio][k]).ToArray(),
            SigmaRatioTried = epochEnds.Select(k => metrics[MetricColumns.SigmaRatioTried][k]).ToArray(),
        };
    }
}
