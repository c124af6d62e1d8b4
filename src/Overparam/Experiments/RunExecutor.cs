using System.Numerics;
using Overparam.Architectures;
using Overparam.Data;
using Overparam.Numerics;
using Overparam.Training;
using Overparam.Training.Optimizers;

namespace Overparam.Experiments;

/// <summary>Progress of a run: the step just measured, its loss and the training speed.</summary>
public sealed record RunProgress(int Step, int MaxSteps, double Loss, double StepsPerSecond);

/// <summary>
/// What a run ended with; <see cref="Final"/> holds the last probe and evaluation values and the best test error
/// (empty without probes and evaluation).
/// </summary>
/// <param name="Folder">The run folder written (null without one): the folder asked for, or with a default name the one claimed.</param>
public sealed record RunOutcome(TrainingStatus Status, int Steps, double InitialLoss, double FinalLoss, double Seconds, double Eta,
    double? Lambda0, IReadOnlyDictionary<string, double> Final, string? Message, string? Folder = null);

/// <summary>
/// Runs one <see cref="RunSpec"/>: resolves data, network, η, loss, optimizer and batches, trains, and writes the run
/// folder; or resumes a run folder from its checkpoint (<see cref="Resume"/>).
/// </summary>
public static class RunExecutor
{
    /// <param name="defaultName"><paramref name="outDir"/> is a default name, not the user's: when another run holds it,
    /// write to the first free outDir-2, outDir-3, … (<see cref="RunOutcome.Folder"/>) instead of refusing.</param>
    public static RunOutcome Execute(RunSpec spec, string? outDir, IProgress<RunProgress>? progress = null,
        CancellationToken cancel = default, TextWriter? warningsTo = null, bool defaultName = false)
    {
        RunSpecChecks.Check(spec);
        return spec.DType switch
        {
            "float64" => Run<double>(spec, outDir, null, progress, cancel, warningsTo, defaultName),
            "float32" => Run<float>(spec, outDir, null, progress, cancel, warningsTo, defaultName),
            _ => throw new RunSpecException($"--dtype {spec.DType}: expected {Choices.Or(Choices.DTypes)}"),
        };
    }

    /// <summary>
    /// Continues the run in <paramref name="directory"/> from its checkpoint.safetensors (written with --checkpoint-every),
    /// on the data it saved, to the same bits as an uninterrupted run on the same machine and thread count.
    /// <paramref name="given"/> is the spec the user asked for, if any: it must equal the folder's.
    /// </summary>
    public static RunOutcome Resume(string directory, RunSpec? given, IProgress<RunProgress>? progress = null,
        CancellationToken cancel = default, TextWriter? warningsTo = null)
    {
        var saved = RunFolder.Open(directory);
        if (given is not null && given.ToJson() != saved.Spec.ToJson())
            throw new RunSpecException($"--resume {directory}: the options differ from the run's configuration ({string.Join(", ", Differences(given, saved.Spec))}); give only --resume, or the run's own options");
        var status = saved.Summary().Status;
        if (status is not (TrainingStatus.Running or TrainingStatus.Stopped or TrainingStatus.Failed))
            throw new RunSpecException($"--resume {directory}: the run has finished ({TrainingStatusText.Name(status)})");
        return saved.Spec.DType == "float32"
            ? Run<float>(saved.Spec, directory, saved, progress, cancel, warningsTo)
            : Run<double>(saved.Spec, directory, saved, progress, cancel, warningsTo);
    }

    private static IEnumerable<string> Differences(RunSpec a, RunSpec b)
    {
        var x = System.Text.Json.Nodes.JsonNode.Parse(a.ToJson())!.AsObject();
        var y = System.Text.Json.Nodes.JsonNode.Parse(b.ToJson())!.AsObject();
        foreach (var key in x.Select(kv => kv.Key).Union(y.Select(kv => kv.Key)))
        {
            string u = x[key]?.ToJsonString() ?? "null", v = y[key]?.ToJsonString() ?? "null";
            if (u != v) yield return $"{key}: {u} here, {v} in the run";
        }
    }

    private static RunOutcome Run<T>(RunSpec spec, string? outDir, SavedRun? resumed, IProgress<RunProgress>? progress,
        CancellationToken cancel, TextWriter? warningsTo, bool defaultName = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (spec.Steps < 0) throw new RunSpecException($"--steps {spec.Steps}: must be non-negative");
        if (spec.EvalEvery < 0) throw new RunSpecException($"--eval-every {spec.EvalEvery}: must be non-negative");
        if (spec.CheckpointEvery < 0) throw new RunSpecException($"--checkpoint-every {spec.CheckpointEvery}: must be non-negative");
        if (spec.CheckpointEvery > 0 && spec.ProbeEvery > 0)
            throw new RunSpecException("--checkpoint-every with --probe-every: the probes keep θ(0), G(0) and the kernel predictions in memory, so such a run cannot be resumed; drop one of them");
        var architecture = RunNetwork.Architecture(spec);
        var warnings = new List<string>();
        var data = resumed is null ? RunData.LoadSplit(spec, architecture, out warnings, spec.Outputs ?? 1) : Saved(resumed);
        var config = RunNetwork.Config(spec, data.Train, data.Classes);
        var trained = RunNetwork.Trained(spec, config);
        if (!config.Activation.CoveredByTheorems) warnings.Add($"{config.Activation.Name} is outside the deep paper's theorems (neither smooth nor analytic, docs/mathematics.md §3)");
        if (!(spec.CRes > 0 && spec.CRes < 1) && architecture.UsesCRes)
            warnings.Add($"c_res = {spec.CRes} is outside (0, 1): outside the theorems");
        if (resumed is null) foreach (var w in warnings) warningsTo?.WriteLine("warning: " + w);

        int n = data.Train.Count;
        MemoryBudget.Ensure($"--width {spec.Width} --depth {spec.Depth} with n = {n}", MemoryBudget.Training(config, n, Math.Clamp(spec.BatchSize ?? n, 1, n),
            System.Runtime.CompilerServices.Unsafe.SizeOf<T>(), grams: spec.ProbeEvery > 0 || spec.LrPolicy == "stable" && resumed is null,
            kernel: spec.ProbeEvery > 0 || spec.LrPolicy == "theory"));

        var checkpoint = resumed is null ? default : Checkpoint.Read(resumed.Path);
        var run = RunModel<T>.Create(spec, config, trained, checkpoint.Meta is null ? null : checkpoint.Parameters, $"{resumed?.Path}/{Checkpoint.FileName}");
        var model = run.Model;
        var net = model as INetwork<T>;
        if (model is ReplicaModel<T> && spec.ProbeEvery > 0)
            throw new RunSpecException($"--probe-every {spec.ProbeEvery}: the probes follow one network, and replicated-sgd trains {RunTraining.Replicas(spec)}");
        string noGrams = config.Outputs == 1 ? $"the {architecture.Name} model has no per-layer Gram matrices"
            : $"per-layer Gram matrices are defined for one output and this network has C = {config.Outputs}";
        if (config.BatchNorm && model is ReplicaModel<T>)
            throw new RunSpecException("--batch-norm with replicated-sgd: the replicas' centre of mass would need running statistics of its own; use another optimizer or drop --batch-norm");
        if (spec.ProbeEvery > 0 && (net is null || config.Outputs > 1)) throw new RunSpecException($"--probe-every {spec.ProbeEvery}: the probes measure Gram matrices and {noGrams}");
        var x = typeof(T) == typeof(double) ? (Matrix<T>)(object)data.Train.X : data.Train.X.Convert<T>();
        var y = data.Train.Y.Select(T.CreateTruncating).ToArray();

        var theory = spec.LrPolicy == "theory" || spec.ProbeEvery > 0 ? TheoryQuantities.Compute(config, data.Train) : null;
        var eta = resumed is not null ? SavedStepSize(resumed) : StepSize.Choose(spec, config, data.Train.Count, theory?.Lambda0, () =>
        {
            if (model is ReplicaModel<T>) throw new RunSpecException("--lr-policy stable: η = c/λ_max(G(0)) is for one network, and replicated-sgd trains several; use --lr");
            if (net is null || config.Outputs > 1) throw new RunSpecException($"--lr-policy stable: η = c/λ_max(G(0)) needs the NTK G(0) and {noGrams}; use --lr");
            if (config.BatchNorm) throw new RunSpecException("--lr-policy stable (the default without --lr): η = c/λ_max(G(0)) needs per-sample Jacobians, and --batch-norm couples the samples of a batch; give --lr");
            net.Forward(x, new T[data.Train.Count]);
            net.BackPropagate();
            return LinearAlgebra.SymmetricEigenvalues(StepSize.TrainedNtk(net.GramMatrices(), trained))[^1];
        });
        var probes = spec.ProbeEvery > 0 ? new Probes<T>(spec.ProbeEvery, config, trained, eta.Eta, data.Train, theory!) : null;

        var loss = RunTraining.Loss(spec, config.Outputs);
        var plan = RunTraining.Batches(spec, data.Train.Count);
        if (config.BatchNorm && plan.SmallestBatch < 2)
            throw new RunSpecException($"--batch-norm with n = {plan.Count} and --batch-size {plan.BatchSize}: a batch of one sample has no batch statistics (PyTorch's BatchNorm1d refuses it too); choose a batch size that leaves at least 2 samples in every batch");
        int steps = RunTraining.Steps(spec, plan);
        var schedule = RunTraining.Schedule(spec, eta.Eta, RunTraining.Epochs(spec, plan));
        var baseOptimizer = RunTraining.Optimizer<T>(spec, eta.Eta, plan);
        var coupled = baseOptimizer as ICoupled;
        var practical = PracticalSizes<T>.Wrap(spec, baseOptimizer, eta.Eta, plan, steps, trained, run, x, warnings, resumed is null ? warningsTo : null);
        var optimizer = practical.Optimizer;
        if (checkpoint.Meta is not null)
        {
            try { optimizer.RestoreState(checkpoint.OptimizerState); }
            catch (ArgumentException e) { throw new RunSpecException($"{resumed!.Path}/{Checkpoint.FileName}: {e.Message}"); }
        }
        long startBatch = checkpoint.Meta?.NextBatch ?? 0;
        int lastEpoch = startBatch > 0 ? plan.Epoch(Math.Max(0, startBatch - RunTraining.InnerSteps(spec))) : -1;
        var evaluation = spec.EvalEvery > 0
            ? new Evaluation<T>(run.Network, loss, data.Train, data.Test, spec.EvalEvery, run.Refresh, lastEpoch)
            : null;
        if (spec.ProbeFlatnessEvery < 0) throw new RunSpecException($"--probe-flatness-every {spec.ProbeFlatnessEvery}: must be non-negative");
        var flatness = spec.ProbeFlatnessEvery > 0 ? new FlatnessProbe<T>(spec, config, run.Network, run.Refresh, loss, data.Train, lastEpoch) : null;
        if (evaluation is not null && checkpoint.Meta is { } m) { evaluation.BestTestError = m.BestTestError; evaluation.BestTestErrorStep = m.BestTestErrorStep; }
        var sources = practical.Sources(spec, run, x, lastEpoch);
        bool stochastic = !plan.IsFullBatch || schedule is not null;
        var everyStep = new List<IMetricsProbe>();
        if (baseOptimizer is IPruning || model is Architectures.Spiking.SpikingNetwork<T>) everyStep.Add(new ConnectivityProbe<T>(model, baseOptimizer as IPruning));
        if (model is Architectures.Spiking.SpikingNetwork<T> spiking) everyStep.Add(new SpikeRateProbe<T>(spiking));
        string[] columns = [MetricColumns.Step, MetricColumns.Loss, MetricColumns.Seconds,
            .. stochastic ? [MetricColumns.Epoch, MetricColumns.LearningRate] : Array.Empty<string>(),
            .. coupled is not null ? [MetricColumns.Gamma] : Array.Empty<string>(),
            .. probes?.Columns ?? [], .. evaluation?.Columns ?? [], .. flatness?.Columns ?? [], .. sources.SelectMany(m => m.Columns),
            .. everyStep.SelectMany(p => p.Columns)];
        var setup = new RunRecords.TrainingSetup(loss, optimizer.Name, RunTraining.Settings(spec, eta.Eta, steps, RunTraining.Epochs(spec, plan)), plan, steps,
            spec.LrSchedule, spec.EvalEvery, spec.CheckpointEvery);

        int start = checkpoint.Meta?.NextStep ?? 0;
        using var folder = outDir is null ? null : resumed is not null ? RunFolder.Resume(outDir, columns, start) : RunFolder.Create(outDir, defaultName);
        if (folder is not null && resumed is null)
        {
            folder.WriteJson("config.json", RunRecords.Config(spec, config, data, eta, theory, warnings, trained, setup));
            folder.WriteData(data.Train, data.Test);
            folder.WriteWeights("init.safetensors", run.NetworkTensors(), RunNetwork.Metadata(config));
            folder.WriteJson("summary.json", RunRecords.Summary<T>(new TrainingResult(TrainingStatus.Running, 0, double.NaN, double.NaN, 0), eta.Eta));
            folder.StartMetrics(columns);
        }
        // A checkpoint of non-finite parameters is not written: the previous one stays, and the run stops as diverged at the next step.
        Action<int, long, double, double>? save = folder is null || spec.CheckpointEvery == 0 ? null : (next, nextBatch, seconds, initial) =>
        {
            if (!model.Parameters.All(p => p.Value.All(T.IsFinite))) return;
            new Checkpoint(next, nextBatch, initial, seconds, evaluation?.BestTestError ?? double.NaN, evaluation?.BestTestErrorStep ?? -1)
                .Write(folder.Path, model, optimizer);
        };
        var observer = new RunObserver<T>(folder, probes, evaluation, stochastic, progress, steps, checkpoint.Meta?.Seconds ?? 0,
            checkpoint.Meta?.InitialLoss ?? double.NaN, save, spec.CheckpointEvery, coupled, flatness, sources, everyStep);
        var options = new TrainingOptions(steps, spec.TargetLoss, run.Trained, Batches: plan, LearningRate: schedule, StartStep: start,
            InitialLoss: checkpoint.Meta?.InitialLoss, StartBatch: checkpoint.Meta?.NextBatch);
        TrainingResult result;
        try
        {
            result = TrainingLoop.Run<T>(model, x, y, optimizer, options, observer, cancel, loss);
        }
        catch (ExpressivityConditionException e)
        {
            result = new TrainingResult(TrainingStatus.Failed, observer.LastStep, observer.FirstLoss, observer.LastLoss, observer.LastSeconds,
                Message: e.Message);
            folder?.WriteJson("summary.json", RunRecords.Summary<T>(result, eta.Eta, practical.Final()));
            if (folder is not null && practical.Record is { } failedRecord) folder.WriteJson(TwoPhaseRecord<T>.FileName, failedRecord.Json());
            return new RunOutcome(result.Status, result.Steps, result.InitialLoss, result.FinalLoss, result.Seconds, eta.Eta, theory?.Lambda0,
                practical.Final(), e.Message);
        }
        catch (Exception e) when (e is not RunSpecException)
        {
            result = new TrainingResult(TrainingStatus.Failed, observer.LastStep, observer.FirstLoss, observer.LastLoss, observer.LastSeconds,
                Message: e.Message);
            folder?.WriteJson("summary.json", RunRecords.Summary<T>(result, eta.Eta));
            throw;
        }
        result = result with { Seconds = (checkpoint.Meta?.Seconds ?? 0) + result.Seconds };
        var final = new Dictionary<string, double>(probes?.Final ?? []);
        if (evaluation is not null)
        {
            foreach (var c in evaluation.Columns) if (observer.LastRow.TryGetValue(c, out double v)) final[c] = v;
            if (evaluation.BestTestErrorStep >= 0) final[MetricColumns.BestTestError] = evaluation.BestTestError;
        }
        foreach (var c in flatness?.Columns ?? []) if (observer.LastRow.TryGetValue(c, out double v)) final[c] = v;
        foreach (var c in sources.SelectMany(m => m.Columns)) if (observer.LastRow.TryGetValue(c, out double v)) final[c] = v;
        foreach (var c in everyStep.SelectMany(p => p.Columns)) if (observer.LastRow.TryGetValue(c, out double v)) final[c] = v;
        foreach (var (k, v) in practical.Final()) final[k] = v;
        if (folder is not null)
        {
            try
            {
                var finalTensors = run.NetworkTensors();
                if (finalTensors.All(AllFinite)) folder.WriteWeights("final.safetensors", finalTensors, RunNetwork.Metadata(config));
                else result = result with { Message = $"{result.Message}; the final weights are not finite and were not written" };
                foreach (var (file, tensors) in run.ReplicaFiles()) if (tensors.All(AllFinite)) folder.WriteWeights(file, tensors, RunNetwork.Metadata(config));
                if (practical.Record is { } record) folder.WriteJson(TwoPhaseRecord<T>.FileName, record.Json());
            }
            catch (IOException e)
            {
                // A full disk after training: the summary says the run failed writing its final files, not "running".
                folder.WriteJson("summary.json", RunRecords.Summary<T>(result with { Status = TrainingStatus.Failed, Message = $"writing the final files failed: {e.Message}" }, eta.Eta));
                throw;
            }
            folder.WriteJson("summary.json", RunRecords.Summary(result, eta.Eta, everyStep.Count > 0 ? final : Merge(probes?.Final, practical.Final()), evaluation));
        }
        return new RunOutcome(result.Status, result.Steps, result.InitialLoss, result.FinalLoss,
            result.Seconds, eta.Eta, theory?.Lambda0, final, result.Message, folder?.Path);
    }

    private static bool AllFinite(IO.Tensor t) => t.Doubles is { } d ? d.All(double.IsFinite) : t.Floats!.All(float.IsFinite);

    private static IReadOnlyDictionary<string, double>? Merge(IReadOnlyDictionary<string, double>? a, IReadOnlyDictionary<string, double> b) =>
        b.Count == 0 ? a : (a ?? new Dictionary<string, double>()).Concat(b).ToDictionary();

    /// <summary>The data a run saved (data.safetensors), as it trained and evaluated on.</summary>
    private static LabelledData Saved(SavedRun run)
    {
        var (train, test) = run.DataSplit();
        int classes = (int)(run.Resolved["classes"]?.GetValue<int>() ?? 0);
        return new LabelledData(train, test, classes, run.Resolved["data"]?.GetValue<string>() ?? "");
    }

    private static StepSize SavedStepSize(SavedRun run) => new(
        run.Resolved["eta"]?.GetValue<double>() ?? throw new RunSpecException($"{run.Path}/config.json: no resolved eta"),
        run.Resolved["eta_policy"]?.GetValue<string>() ?? "", run.Resolved["eta_how"]?.GetValue<string>() ?? "");
}
