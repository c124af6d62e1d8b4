using System.Text.Json.Nodes;
using Overparam.Architectures;
using Overparam.Data;
using Overparam.Numerics;
using Overparam.Training;
using Overparam.Training.Losses;
using Overparam.Training.Optimizers;

namespace Overparam.Experiments;

/// <summary>What a run folder's config.json and summary.json say.</summary>
internal static class RunRecords
{
    /// <summary>How the run trains, beyond the network: loss, optimizer and its settings, batches, schedule, evaluation.</summary>
    public sealed record TrainingSetup(ILoss Loss, string Optimizer, OptimizerSettings Settings, BatchPlan Batches, int Steps,
        string? Schedule, int EvalEvery, int CheckpointEvery);

    /// <summary>
    /// config.json: the spec as given, what it resolved to (network, data, η, training) and the environment. The fields
    /// of the paper's runs come first, in their old order; those of classification and stochastic training follow, and
    /// "flat_minima" for Entropy-SGD and Replicated-SGD, "spiking" for the snn and "grad_r" for Grad R.
    /// </summary>
    public static JsonObject Config(RunSpec spec, NetworkConfig config, LabelledData data, StepSize eta, TheoryQuantities? theory,
        List<string> warnings, bool[] trained, TrainingSetup training)
    {
        var train = data.Train;
        var s = training.Settings;
        var resolved = new JsonObject
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
            ["trained"] = new JsonArray(NetworkFactory.Shapes(config).Where((_, i) => trained[i]).Select(t => (JsonNode)t.Name).ToArray()),
            ["parameters"] = NetworkFactory.Shapes(config).Sum(t => t.Shape.Aggregate(1L, (p, v) => p * v)),
            ["n"] = train.Count,
            ["input_shape"] = new JsonArray(train.InputShape.Select(v => (JsonNode)v).ToArray()),
            ["data_source"] = train.Source,
            ["inputs_normalized"] = !spec.RawInputs && !spec.Standardize,
            ["smallest_pairwise_angle"] = train.Count <= RunData.PairwiseCheckLimit ? Finite(train.SmallestPairwiseAngle()) : null,
            ["lambda0"] = theory is null ? null : theory.Lambda0,
            ["eta"] = eta.Eta,
            ["eta_policy"] = eta.Policy,
            ["eta_how"] = eta.How,
            ["dtype"] = spec.DType,
            ["loss"] = training.Loss.Formula,
            ["warnings"] = new JsonArray(warnings.Select(w => (JsonNode)w).ToArray()),
            ["outputs"] = config.Outputs,
            ["parameterization"] = config.Parameterization.ToString().ToLowerInvariant(),
            ["bias"] = config.Bias,
            ["loss_name"] = training.Loss.Name,
            ["classes"] = data.Classes,
            ["n_test"] = data.Test?.Count,
            ["data"] = data.Description,
            ["optimizer"] = training.Optimizer,
            ["optimizer_settings"] = new JsonObject
            {
                ["momentum"] = s.Momentum, ["dampening"] = s.Dampening, ["nesterov"] = s.Nesterov, ["weight_decay"] = s.WeightDecay,
                ["beta1"] = s.Beta1, ["beta2"] = s.Beta2, ["epsilon"] = s.Epsilon, ["alpha"] = s.Alpha, ["centered"] = s.Centered,
            },
            ["batch_size"] = training.Batches.BatchSize,
            ["steps_per_epoch"] = training.Batches.StepsPerEpoch,
            ["shuffle"] = training.Batches.Shuffle && !training.Batches.IsFullBatch,
            ["steps"] = training.Steps,
            ["lr_schedule"] = training.Schedule ?? "constant",
            ["eval_every"] = training.EvalEvery,
            ["checkpoint_every"] = training.CheckpointEvery,
        };
        if (config.FeatureWidth is int featureWidth) resolved["feature_width"] = featureWidth;
        if (config.BatchNorm)
            resolved["batch_norm"] = new JsonObject
            {
                ["placement"] = "every layer's pre-activation, before sigma: BN_h(W_h x^(h-1) + b_h)",
                ["eps"] = Architectures.Dense.BatchNorm<double>.Epsilon, ["momentum"] = Architectures.Dense.BatchNorm<double>.Momentum,
                ["training"] = "batch statistics (biased variance), running statistics updated (unbiased variance)",
                ["evaluation"] = "running statistics",
            };
        if (FlatMinima(training.Optimizer, s, spec.FairBudget) is { } flat) resolved["flat_minima"] = flat;
        if (config.Spiking is { } snn)
            resolved["spiking"] = new JsonObject
            {
                ["time_steps"] = snn.TimeSteps, ["tau"] = snn.Tau, ["v_threshold"] = Architectures.Spiking.LifNeurons.Threshold,
                ["v_reset"] = Architectures.Spiking.LifNeurons.Reset, ["reset"] = "hard, detached in the backward pass", ["surrogate"] = snn.Surrogate.Name,
                ["surrogate_alpha"] = snn.SurrogateAlpha, ["readout"] = snn.Readout.ToString().ToLowerInvariant(), ["encoding"] = "direct",
                ["initialization"] = "uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)) (PyTorch's Linear default)",
            };
        if (training.Optimizer == GradRewiring<float>.KindName)
            resolved["grad_r"] = new JsonObject
            {
                ["target_sparsity"] = s.TargetSparsity, ["prior_alpha"] = s.PriorAlpha, ["prior_centre"] = s.PriorAlpha > s.Epsilon ? GradRewiring<double>.PriorCentre(s.TargetSparsity, s.PriorAlpha) : null,
                ["prior_active"] = s.PriorAlpha > s.Epsilon, ["true_gradient"] = s.TrueGradient, ["connectivity_threshold"] = ConnectivityProbe<double>.Threshold,
            };
        return new JsonObject
        {
            ["spec"] = JsonNode.Parse(spec.ToJson())!.AsObject(),
            ["resolved"] = resolved,
            ["environment"] = Environment(),
        };
    }

    /// <summary>The library version, BLAS backend and core type, threads, .NET and OS: what produced a file's numbers.</summary>
    public static JsonObject Environment()
    {
        var backend = LinearAlgebra.Backend;
        return new JsonObject
        {
            ["library_version"] = typeof(RunExecutor).Assembly.GetName().Version?.ToString(3),
            ["blas_backend"] = backend.Name,
            ["blas_core_type"] = backend.CoreType,
            ["threads"] = backend.Threads,
            ["elementwise_threads"] = Chunks.Threads,
            ["dotnet"] = System.Environment.Version.ToString(),
            ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
            ["processors"] = System.Environment.ProcessorCount,
        };
    }

    /// <summary>
    /// Entropy-SGD's and Replicated-SGD's settings as resolved (null for every other optimizer, whose config.json is then
    /// as it was): γ0 null is the automatic, balanced γ0; γ1 null is γ1 from γmax over the run's outer steps (Entropy-SGD)
    /// or epochs (Replicated-SGD).
    /// </summary>
    private static JsonObject? FlatMinima(string optimizer, OptimizerSettings s, bool fairBudget) => optimizer switch
    {
        EntropySgd<float>.KindName => new JsonObject
        {
            ["inner_steps"] = s.InnerSteps, ["sgld_lr"] = s.SgldLr, ["sgld_noise"] = s.SgldNoise, ["sgld_noise_float32"] = s.SgldNoiseFloat32, ["sgld_momentum"] = s.SgldMomentum,
            ["ema_alpha"] = s.EmaAlpha, ["gamma0"] = s.Gamma0, ["gamma1"] = s.Gamma1, ["gamma_max"] = s.GammaMax, ["gscale"] = s.GScale,
            ["fair_budget"] = fairBudget, ["outer_steps"] = s.OuterSteps, ["batches_per_step"] = s.InnerSteps, ["noise_seed"] = s.NoiseSeed,
        },
        ReplicatedSgd<float>.KindName => new JsonObject
        {
            ["replicas"] = s.Replicas, ["gamma0"] = s.Gamma0, ["gamma1"] = s.Gamma1, ["gamma_max"] = s.GammaMax,
            ["gamma_schedule"] = s.GammaSchedule, ["epochs"] = s.Epochs, ["step_on_l_tot"] = s.Replicas * s.LearningRate,
        },
        _ => null,
    };

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;

    /// <summary>
    /// summary.json: status, steps, losses, time, η, the step final.safetensors holds when it is not the last (a diverged
    /// run), the last probe and evaluation values, the final and best test error.
    /// </summary>
    public static JsonObject Summary<T>(TrainingResult r, double eta, IReadOnlyDictionary<string, double>? final = null, Evaluation<T>? evaluation = null)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
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
        if (r.WeightsStep is int weightsStep) o["final_weights_step"] = weightsStep;
        if (evaluation is not null && evaluation.BestTestErrorStep >= 0)
        {
            o["final_test_error"] = Finite(evaluation.FinalTestError);
            o["best_test_error"] = Finite(evaluation.BestTestError);
            o["best_test_error_step"] = evaluation.BestTestErrorStep;
        }
        if (final is not null) o["final_probes"] = new JsonObject(final.Where(kv => double.IsFinite(kv.Value)).Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
        return o;
    }
}
