using System.Numerics;
using System.Text.Json.Nodes;
using Overparam.Architectures;
using Overparam.Data;
using Overparam.Numerics;
using Overparam.Training;
using Overparam.Training.Optimizers;

namespace Overparam.Experiments;

/// <summary>Progress of a run: the step just measured, its loss and the training speed.</summary>
public sealed record RunProgress(int Step, int MaxSteps, double Loss, double StepsPerSecond);

/// <summary>What a run ended with; <see cref="Final"/> holds the last probe values (empty without probes).</summary>
public sealed record RunOutcome(TrainingStatus Status, int Steps, double InitialLoss, double FinalLoss, double Seconds, double Eta,
    double? Lambda0, IReadOnlyDictionary<string, double> Final, string? Message);

/// <summary>Runs one <see cref="RunSpec"/>: resolves data, network and η, trains, and writes the run folder.</summary>
public static class RunExecutor
{
    public static RunOutcome Execute(RunSpec spec, string? outDir, IProgress<RunProgress>? progress = null,
        CancellationToken cancel = default, TextWriter? warningsTo = null) => spec.DType switch
    {
        "float64" => Execute<double>(spec, outDir, progress, cancel, warningsTo),
        "float32" => Execute<float>(spec, outDir, progress, cancel, warningsTo),
        _ => throw new RunSpecException($"--dtype {spec.DType}: expected {Choices.Or(Choices.DTypes)}"),
    };

    private static RunOutcome Execute<T>(RunSpec spec, string? outDir, IProgress<RunProgress>? progress,
        CancellationToken cancel, TextWriter? warningsTo) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (spec.Steps < 0) throw new RunSpecException($"--steps {spec.Steps}: must be non-negative");
        var architecture = RunNetwork.Architecture(spec);
        var optimizerKind = RunNetwork.Optimizer(spec);
        var data = RunData.Load(spec, architecture, out var warnings);
        var config = RunNetwork.Config(spec, data);
        var trained = RunNetwork.Trained(spec, config);
        if (!config.Activation.CoveredByTheorems) warnings.Add($"{config.Activation.Name} is outside the deep paper's theorems (neither smooth nor analytic, spec §3)");
        if (!(spec.CRes > 0 && spec.CRes < 1) && architecture.UsesCRes)
            warnings.Add($"c_res = {spec.CRes} is outside (0, 1): outside the theorems");
        foreach (var w in warnings) warningsTo?.WriteLine("warning: " + w);

        var parameters = RunNetwork.Parameters<T>(spec, config);
        var init = RunNetwork.ToTensors(parameters);
        var model = NetworkFactory.Create(config, parameters);
        var net = model as INetwork<T>;
        string noGrams = $"the {architecture.Name} model has no per-layer Gram matrices";
        if (spec.ProbeEvery > 0 && net is null) throw new RunSpecException($"--probe-every {spec.ProbeEvery}: the probes measure Gram matrices and {noGrams}");
        var x = typeof(T) == typeof(double) ? (Matrix<T>)(object)data.X : data.X.Convert<T>();
        var y = data.Y.Select(T.CreateTruncating).ToArray();

        var theory = spec.LrPolicy == "theory" || spec.ProbeEvery > 0 ? TheoryQuantities.Compute(config, data) : null;
        var eta = StepSize.Choose(spec, config, data.Count, theory?.Lambda0, () =>
        {
            if (net is null) throw new RunSpecException($"--lr-policy stable: η = c/λ_max(G(0)) needs the NTK G(0) and {noGrams}; use --lr");
            var u0 = new T[data.Count];
            net.Forward(x, u0);
            net.BackPropagate();
            return LinearAlgebra.SymmetricEigenvalues(StepSize.TrainedNtk(net.GramMatrices(), trained))[^1];
        });
        var probes = spec.ProbeEvery > 0 ? new Probes<T>(spec.ProbeEvery, config, trained, eta.Eta, data, theory!) : null;
        var optimizer = optimizerKind.Create<T>(new OptimizerSettings(eta.Eta));

        using var folder = outDir is null ? null : RunFolder.Create(outDir);
        var options = new TrainingOptions(spec.Steps, spec.TargetLoss, trained);
        if (folder is not null)
        {
            folder.WriteJson("config.json", Config(spec, config, data, eta, theory, warnings, trained));
            folder.WriteData(data);
            folder.WriteWeights("init.safetensors", init);
            folder.WriteJson("summary.json", Summary(new TrainingResult(TrainingStatus.Running, 0, double.NaN, double.NaN, 0), eta.Eta));
            folder.StartMetrics([MetricColumns.Step, MetricColumns.Loss, MetricColumns.Seconds, .. probes?.Columns ?? []]);
        }
        var observer = new Observer<T>(folder, probes, progress, spec.Steps);
        TrainingResult result;
        try
        {
            result = TrainingLoop.Run<T>(model, x, y, optimizer, options, observer, cancel);
        }
        catch (Exception e) when (e is not RunSpecException)
        {
            result = new TrainingResult(TrainingStatus.Failed, observer.LastStep, observer.FirstLoss, observer.LastLoss, observer.LastSeconds,
                Message: e.Message);
            folder?.WriteJson("summary.json", Summary(result, eta.Eta));
            throw;
        }
        if (folder is not null)
        {
            folder.WriteWeights("final.safetensors", RunNetwork.ToTensors(model.Parameters));
            folder.WriteJson("summary.json", Summary(result, eta.Eta, probes?.Final));
        }
        return new RunOutcome(result.Status, result.Steps, result.InitialLoss, result.FinalLoss,
            result.Seconds, eta.Eta, theory?.Lambda0, probes?.Final ?? new Dictionary<string, double>(), result.Message);
    }

    private sealed class Observer<T>(RunFolder? folder, Probes<T>? probes, IProgress<RunProgress>? progress, int maxSteps)
        : ITrainingObserver<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public int LastStep; public double FirstLoss = double.NaN, LastLoss = double.NaN, LastSeconds;
        private double probeSeconds;

        public void OnStep(in StepState<T> s)
        {
            if (s.Step == 0) FirstLoss = s.Loss;
            LastStep = s.Step; LastLoss = s.Loss; LastSeconds = s.Seconds;
            var row = new Dictionary<string, double> { [MetricColumns.Step] = s.Step, [MetricColumns.Loss] = s.Loss, [MetricColumns.Seconds] = s.Seconds };
            if (probes is not null && probes.Due(s.Step, s.IsLast))
            {
                var t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                probes.Measure(s, row);
                probeSeconds += System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds;
            }
            folder?.AppendMetrics(row);
            double trainSeconds = Math.Max(1e-9, s.Seconds - probeSeconds);
            progress?.Report(new RunProgress(s.Step, maxSteps, s.Loss, s.Step / trainSeconds));
        }
    }

    private static JsonObject Config(RunSpec spec, NetworkConfig config, Dataset data, StepSize eta, TheoryQuantities? theory,
        List<string> warnings, bool[] trained)
    {
        var backend = LinearAlgebra.Backend;
        var specNode = JsonNode.Parse(spec.ToJson())!.AsObject();
        return new JsonObject
        {
            ["spec"] = specNode,
            ["resolved"] = new JsonObject
            {
                ["architecture"] = config.Architecture.Name,
                ["depth"] = config.Depth,
                ["width"] = config.Width,
                ["activation"] = config.Activation.Name,
                ["activation_covered_by_theorems"] = config.Activation.CoveredByTheorems,
                ["c_sigma"] = config.CSigma,
                ["c_res"] = config.Architecture.UsesCRes ? config.CRes : null,
                ["kernel_size"] = config.Architecture.UsesKernelSize ? config.KernelSize : null,
                ["output_init"] = config.OutputInit.ToString().ToLowerInvariant(),
                ["trained"] = new JsonArray(NetworkFactory.Shapes(config).Where((_, i) => trained[i]).Select(s => (JsonNode)s.Name).ToArray()),
                ["parameters"] = NetworkFactory.Shapes(config).Sum(s => s.Shape.Aggregate(1L, (p, v) => p * v)),
                ["n"] = data.Count,
                ["input_shape"] = new JsonArray(data.InputShape.Select(v => (JsonNode)v).ToArray()),
                ["data_source"] = data.Source,
                ["inputs_normalized"] = !spec.RawInputs,
                ["smallest_pairwise_angle"] = Finite(data.SmallestPairwiseAngle()),
                ["lambda0"] = theory is null ? null : theory.Lambda0,
                ["eta"] = eta.Eta,
                ["eta_policy"] = eta.Policy,
                ["eta_how"] = eta.How,
                ["dtype"] = spec.DType,
                ["loss"] = "L = 1/2 sum_i (f(x_i) - y_i)^2 (a sum over samples, spec eq. 1)",
                ["warnings"] = new JsonArray(warnings.Select(w => (JsonNode)w).ToArray()),
            },
            ["environment"] = new JsonObject
            {
                ["library_version"] = typeof(RunExecutor).Assembly.GetName().Version?.ToString(3),
                ["blas_backend"] = backend.Name,
                ["blas_core_type"] = backend.CoreType,
                ["threads"] = backend.Threads,
                ["elementwise_threads"] = Chunks.Threads,
                ["dotnet"] = Environment.Version.ToString(),
                ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
                ["processors"] = Environment.ProcessorCount,
            },
        };
    }

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;

    private static JsonObject Summary(TrainingResult r, double eta, IReadOnlyDictionary<string, double>? final = null)
    {
        var o = new JsonObject
        {
            ["status"] = TrainingStatusText.Name(r.Status),
            ["steps"] = r.Steps,
            ["initial_loss"] = Finite(r.InitialLoss),
            ["final_loss"] = Finite(r.FinalLoss),
            ["seconds"] = r.Seconds,
            ["eta"] = eta,
            ["diverged_at_step"] = r.DivergedAtStep,
            ["message"] = r.Message,
        };
        if (final is not null) o["final_probes"] = new JsonObject(final.Where(kv => double.IsFinite(kv.Value)).Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
        return o;
    }
}
