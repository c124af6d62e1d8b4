using Overparam.Architectures;
using Overparam.Measures;
using Overparam.Numerics;
using Overparam.Reports;
using Overparam.Training;
using Overparam.Training.Losses;
using Overparam.Training.Optimizers;

namespace Overparam.Experiments.Verify;

/// <summary>How one regime's gradient descent ended: finished runs (budget or target) are the ones that count.</summary>
public sealed record GdOutcome(TrainingStatus Status, double Loss, double TrainError, double TestError, string? Message)
{
    /// <summary>The first step whose loss was ≤ the stated fit loss, or −1.</summary>
    public int StepsToFit { get; init; } = -1;
    /// <summary>The loss at the <see cref="PracticalSizesStudy.Kept"/> steps and the last: steps, values.</summary>
    public double[] CurveSteps { get; init; } = [];
    public double[] Curve { get; init; } = [];

    public bool Finished => Status is TrainingStatus.BudgetExhausted or TrainingStatus.Converged && double.IsFinite(Loss);

    public static GdOutcome Failed(string message) => new(TrainingStatus.Failed, double.NaN, double.NaN, double.NaN, message);
}

/// <summary>
/// One cell of the practical-sizes study: data set, n and m_H. Φ (n × m_H) is the last hidden layer at initialization;
/// <see cref="MinimumLoss"/> is the global minimum of the output-layer problem by a direct LAPACK solve (the value the
/// theory speaks of), <see cref="Frozen"/> gradient descent on that same problem from the network's initial output
/// weights, <see cref="Trained"/> the run with all layers trained.
/// </summary>
public sealed record PracticalSizesCell(string Data, int N, int Width)
{
    public int Rank { get; init; }
    public double SigmaMin { get; init; } = double.NaN;
    public double SigmaMax { get; init; } = double.NaN;
    public double Kappa => SigmaMax / SigmaMin * (SigmaMax / SigmaMin);
    /// <summary>‖ΦA* − Y‖²/(nC), the mean squared error of the least-squares minimizer A*.</summary>
    public double MinimumLoss { get; init; } = double.NaN;
    /// <summary>‖ΦA* − Y‖²/‖Y‖²_F.</summary>
    public double MinimumResidual { get; init; } = double.NaN;
    /// <summary>L at initialization (the network's own output weights).</summary>
    public double InitialLoss { get; init; } = double.NaN;
    /// <summary>η_W, and the test error of the majority training class (the best label-blind predictor).</summary>
    public double Eta { get; init; } = double.NaN;
    public double MajorityTestError { get; init; } = double.NaN;
    public GdOutcome Frozen { get; init; } = GdOutcome.Failed("not run");
    public GdOutcome Trained { get; init; } = GdOutcome.Failed("not run");
    public string Folder { get; init; } = "";
    /// <summary>Φ was measured and solved (NaN otherwise: the cell failed before).</summary>
    public bool Measured => double.IsFinite(MinimumLoss) && double.IsFinite(SigmaMax);
}

/// <summary>
/// `overparam verify --preset practical-sizes`: Kawaguchi &amp; Huang (2019) at practical sizes (docs/mathematics.md
/// §13.5). For every n, m_H = f·n and data set of <see cref="PracticalSizesData"/>: softplus fc networks (standard
/// parameterization, no biases, C = 10 outputs, mean squared error on one-hot targets), the features Φ at
/// initialization (rank, σ_min, σ_max by LAPACK), the output layer's global minimum by a direct least-squares solve,
/// gradient descent on the output layer with the hidden layers frozen (η_W = lr_factor/its smoothness, the training loop on
/// <see cref="OutputLayerModel"/>: the `--train output` iteration), and a run with all layers trained (η_h =
/// hidden_lr_factor·η_W) in runs/DATA-nN-mM. Cells go --threads at a time, each on one thread. Report: <see cref="PracticalSizesReport"/>.
/// </summary>
public sealed class PracticalSizesStudy : PresetStudy
{
    private readonly PracticalSizesConfig? fixedConfig;

    public PracticalSizesStudy() { }

    /// <summary>A study of other settings (tests, or a --config file); --scale is then refused.</summary>
    public PracticalSizesStudy(PracticalSizesConfig config) => fixedConfig = config;

    public override string Name => "practical-sizes";

    public override bool TakesStudyFile => true;

    public override string Description =>
        "practical-sizes (Kawaguchi & Huang 2019): softplus fc 16-32-32-m_H with m_H = n/8 ... 2n, n = 64, 128, 256, on teacher labels, random labels and random inputs; "
        + "the output layer's direct least-squares minimum vs gradient descent with the hidden layers frozen (20k steps) and with all layers trained (20k steps), kappa(Phi), rank, test error; "
        + "3 min on 2 idle cores (measured; 31 min at load 25); --config FILE sets the study's keys (docs/formats.md), --scale s (in (0, 8]) takes n up to 256 s";

    public override Report Run(PresetContext context)
    {
        var given = fixedConfig ?? (context.Config is null ? null : PracticalSizesConfig.Load(context.Config));
        if (given is not null && context.Scale is not null) throw new RunSpecException("--scale with a practical-sizes study file: set ns in the file instead");
        var config = given ?? PracticalSizesConfig.Scaled(context.Scale ?? 1);
        var problems = config.Problems().ToList();
        if (problems.Count > 0) throw new RunSpecException("practical-sizes: " + string.Join("; ", problems));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var data = PracticalSizesData.Build(config, config.Ns.Max());
        string dataDir = Path.Combine(context.Folder, "data");
        Directory.CreateDirectory(dataDir);
        var files = data.ToDictionary(s => s.Name, s =>
        {
            string train = Path.GetFullPath(Path.Combine(dataDir, $"{s.Name}-train.csv")), test = Path.GetFullPath(Path.Combine(dataDir, $"{s.Name}-test.csv"));
            PracticalSizesData.WriteCsv(s.Train, train);
            PracticalSizesData.WriteCsv(s.Test, test);
            return (Train: train, Test: test);
        });
        // Largest first, so that the two workers finish together.
        var cells = (from s in PracticalSizesData.Names from n in config.Ns from f in config.WidthFractions
                     select (Data: s, N: n, Width: PracticalSizesConfig.FeatureWidth(n, f)))
                    .Distinct().OrderByDescending(c => (long)c.N * c.Width).ToArray();
        var results = new PracticalSizesCell[cells.Length];
        int workers = Math.Max(1, LinearAlgebra.Backend.Threads), done = 0;
        var (blas, chunks) = (LinearAlgebra.Backend.Threads, Chunks.Threads);
        context.Progress?.Report(new StudyProgress(0, cells.Length, Label(cells[0].Data, cells[0].N, cells[0].Width)));
        try
        {
            (LinearAlgebra.Backend.Threads, Chunks.Threads) = (1, 1);
            // One cell at a time to whichever worker is free, in the order above.
            var queue = System.Collections.Concurrent.Partitioner.Create(Enumerable.Range(0, cells.Length), System.Collections.Concurrent.EnumerablePartitionerOptions.NoBuffering);
            Parallel.ForEach(queue, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = context.Cancel }, i =>
            {
                var (name, n, width) = cells[i];
                results[i] = RunCell(config, name, n, width, files[name].Train, files[name].Test, Path.Combine(context.Folder, "runs", Label(name, n, width)), context.Cancel);
                int now = Interlocked.Increment(ref done);
                context.Progress?.Report(new StudyProgress(now, cells.Length, now < cells.Length ? $"finished {Label(name, n, width)}" : "done"));
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is OperationCanceledException)) { throw new OperationCanceledException(); }
        finally { (LinearAlgebra.Backend.Threads, Chunks.Threads) = (blas, chunks); }
        var ordered = results.OrderBy(c => Array.IndexOf(PracticalSizesData.Names, c.Data)).ThenBy(c => c.N).ThenBy(c => c.Width).ToArray();
        var report = PracticalSizesReport.Build(config, ordered, clock.Elapsed.TotalSeconds, workers);
        IO.AtomicFile.WriteAllText(Path.Combine(context.Folder, "cells.csv"), PracticalSizesReport.CellsCsv(ordered));
        return report;
    }

    public static string Label(string data, int n, int width) => $"{data}-n{n}-m{width}";

    /// <summary>
    /// One cell: Φ of the run's initial network on its training and test inputs, the direct minimum, frozen-layer GD, then
    /// the all-layer run into <paramref name="folder"/>. A cell whose setup fails is returned with the message and no values.
    /// </summary>
    public static PracticalSizesCell RunCell(PracticalSizesConfig config, string dataName, int n, int width, string trainCsv, string testCsv, string folder, CancellationToken cancel)
    {
        var cell = new PracticalSizesCell(dataName, n, width) { Folder = folder };
        int c = config.Classes;
        var spec = config.Spec(trainCsv, testCsv, n, width, 1);
        Matrix<double> phi, phiTest;
        Data.LabelledData data;
        double[] a0;
        try
        {
            var architecture = RunNetwork.Architecture(spec);
            data = RunData.LoadSplit(spec, architecture, out _, c);
            var network = RunNetwork.Config(spec, data.Train, data.Classes);
            var parameters = RunNetwork.Parameters<double>(spec, network);
            var model = NetworkFactory.Create(network, parameters);
            phi = Expressivity.Features(model, data.Train.X);
            phiTest = Expressivity.Features(model, data.Test!.X);
            a0 = parameters.First(p => p.Name == "a").Value.ToArray();
        }
        catch (Exception e) when (e is RunSpecException or ArgumentException or InvalidOperationException or IOException)
        {
            return cell with { Frozen = GdOutcome.Failed(e.Message), Trained = GdOutcome.Failed(e.Message) };
        }
        var e0 = Expressivity.Measure(phi);
        var y = OutputLeastSquares.Targets(data.Train.Y, c);
        var minimum = OutputLeastSquares.Solve(phi, y);
        double yy = y.Data.Sum(v => v * v);
        // L = (1/(nC))‖ΦA − Y‖²: its gradient is (2/(nC))Φᵀ(ΦA − Y), Lipschitz with constant 2σ_max²/(nC).
        double eta = config.LrFactor * n * c / (2 * e0.SigmaMax * e0.SigmaMax);
        int majority = data.Train.Y.GroupBy(v => (int)v).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
        cell = cell with
        {
            Rank = e0.Rank, SigmaMin = e0.SigmaMin, SigmaMax = e0.SigmaMax, MinimumLoss = minimum.ResidualSumOfSquares / (n * c),
            MinimumResidual = minimum.ResidualSumOfSquares / yy, Eta = eta,
            MajorityTestError = data.Test!.Y.Count(v => (int)v != majority) / (double)data.Test.Count,
        };
        cancel.ThrowIfCancellationRequested();
        cell = cell with { Frozen = FrozenDescent(config, phi, phiTest, data.Train.Y, data.Test.Y, a0, eta, cancel) };
        cell = cell with { InitialLoss = cell.Frozen.Curve.Length > 0 ? cell.Frozen.Curve[0] : double.NaN };
        cancel.ThrowIfCancellationRequested();
        return cell with { Trained = TrainAll(config, spec with { Lr = eta, LrHidden = config.HiddenLrFactor * eta }, folder, cancel) };
    }

    /// <summary>Gradient descent on the output layer with Φ fixed (the `--train output` iteration), from A(0) = <paramref name="a0"/>.</summary>
    public static GdOutcome FrozenDescent(PracticalSizesConfig config, Matrix<double> phi, Matrix<double> phiTest, double[] y, double[] yTest, double[] a0,
        double eta, CancellationToken cancel)
    {
        int c = config.Classes;
        var model = new OutputLayerModel(a0.ToArray(), phi.Cols, c);
        var trace = new LossTrace(config.RecordEvery, config.FitLoss);
        var result = TrainingLoop.Run(model, phi, y, new GradientDescent<double>(eta), new TrainingOptions(config.FrozenSteps, 0), trace, cancel,
            MeanSquaredError.Instance);
        cancel.ThrowIfCancellationRequested();
        return new GdOutcome(result.Status, result.FinalLoss, ClassError(model, phi, y), ClassError(model, phiTest, yTest), result.Message)
        {
            StepsToFit = trace.StepsToFit, CurveSteps = [.. trace.Steps], Curve = [.. trace.Losses],
        };
    }

    /// <summary>The fraction of rows whose argmax output (ties to the smallest class) is not the label.</summary>
    public static double ClassError(IModel<double> model, Matrix<double> x, double[] labels)
    {
        int c = model.Outputs;
        var u = new double[x.Rows * c];
        model.Forward(x, u);
        int wrong = 0;
        for (int i = 0; i < x.Rows; i++)
        {
            int best = 0;
            for (int k = 1; k < c; k++) if (u[i * c + k] > u[i * c + best]) best = k;
            if (best != (int)labels[i]) wrong++;
        }
        return wrong / (double)x.Rows;
    }

    private static GdOutcome TrainAll(PracticalSizesConfig config, RunSpec spec, string folder, CancellationToken cancel)
    {
        RunOutcome outcome;
        try { outcome = RunExecutor.Execute(spec, folder, null, cancel); }
        catch (OperationCanceledException) { throw; }
        catch (Exception e) when (e is RunSpecException or ArgumentException or InvalidOperationException or IOException) { return GdOutcome.Failed(e.Message); }
        cancel.ThrowIfCancellationRequested();
        var metrics = MetricsTable.Read(Path.Combine(folder, "metrics.csv"));
        var steps = metrics[MetricColumns.Step];
        var loss = metrics[MetricColumns.Loss];
        int fit = Array.FindIndex(loss, v => v <= config.FitLoss);
        var keep = Enumerable.Range(0, loss.Length).Where(i => Kept((int)steps[i], config.RecordEvery) || i == loss.Length - 1).ToArray();
        double Final(string key) => outcome.Final.TryGetValue(key, out var v) ? v : double.NaN;
        return new GdOutcome(outcome.Status, outcome.FinalLoss, Final(MetricColumns.TrainError), Final(MetricColumns.TestError), outcome.Message)
        {
            StepsToFit = fit < 0 ? -1 : (int)steps[fit], CurveSteps = keep.Select(i => steps[i]).ToArray(), Curve = keep.Select(i => loss[i]).ToArray(),
        };
    }

    /// <summary>The steps a loss curve keeps: every k-th, and the powers of 2 (for a log-scale step axis).</summary>
    public static bool Kept(int step, int every) => step % every == 0 || (step & (step - 1)) == 0;

    /// <summary>Keeps L(k) at the <see cref="Kept"/> steps and at the last, and the first step with L ≤ the fit loss.</summary>
    private sealed class LossTrace(int every, double fitLoss) : ITrainingObserver<double>
    {
        public readonly List<double> Steps = [], Losses = [];
        public int StepsToFit = -1;

        public void OnStep(in StepState<double> s)
        {
            if (StepsToFit < 0 && s.Loss <= fitLoss) StepsToFit = s.Step;
            if (Kept(s.Step, every) || s.IsLast) { Steps.Add(s.Step); Losses.Add(s.Loss); }
        }

        public void AfterUpdate(int nextStep, long nextBatch) { }
    }
}
