using Overparam.Architectures;
using Overparam.Training;
using Overparam.Training.Losses;
using Overparam.Training.Optimizers;
using Overparam.Training.Schedules;

namespace Overparam.Experiments;

/// <summary>How a <see cref="RunSpec"/> trains: its loss, batches, step budget, optimizer settings and learning-rate schedule, each checked.</summary>
public static class RunTraining
{
    /// <summary>--loss, defaulting to the architecture's (mse for snn, the authors') or else the paper's half-sum-squares for one output and cross-entropy for C ≥ 2.</summary>
    public static ILoss Loss(RunSpec spec, int outputs)
    {
        var name = spec.Loss ?? RunNetwork.Architecture(spec).DefaultLoss ?? (outputs == 1 ? HalfSumSquares.Instance.Name : CrossEntropy.Instance.Name);
        var loss = Training.Losses.Loss.TryParse(name)
            ?? throw new RunSpecException($"--loss {name}: expected one of {string.Join(", ", Training.Losses.Loss.Names)}");
        if (loss is CrossEntropy && outputs < 2)
            throw new RunSpecException("--loss cross-entropy needs C ≥ 2 outputs (--outputs, or data with classes); for one output use half-sum-squares or mse");
        return loss;
    }

    /// <summary>--batch-size (default n) and --shuffle; the shuffle is seeded by --seed. Replicated-SGD reads y streams side by side.</summary>
    public static BatchPlan Batches(RunSpec spec, int n)
    {
        int b = spec.BatchSize ?? n;
        if (b < 1 || b > n) throw new RunSpecException($"--batch-size {b}: must be between 1 and the number of training samples n = {n}");
        return new BatchPlan(n, b, spec.Shuffle ?? true, spec.Seed ^ 0x5EED0F0DE5UL, Replicas(spec));
    }

    /// <summary>y, the networks trained: --replicas for replicated-sgd (default 3, docs/mathematics.md §11.3), else 1.</summary>
    public static int Replicas(RunSpec spec)
    {
        if (RunNetwork.Optimizer(spec).Name != ReplicatedSgd<float>.KindName) return 1;
        int y = spec.Replicas ?? 3;
        if (y < 1) throw new RunSpecException($"--replicas {y}: must be at least 1");
        return y;
    }

    /// <summary>
    /// The step budget: --epochs × ⌈n/B⌉ when --epochs is given, else --steps; with Entropy-SGD's --fair-budget divided by L
    /// (rounded down, at least 1). Entropy-SGD's step is an outer step that takes L batches, so without the fair budget an
    /// "epoch" of ⌈n/B⌉ outer steps reads the data L times (the code lineage's convention), and with it the run reads as
    /// many batches as SGD's with the same options.
    /// </summary>
    public static int Steps(RunSpec spec, BatchPlan plan)
    {
        long steps = spec.Steps;
        if (spec.Epochs is int e)
        {
            if (e < 1) throw new RunSpecException($"--epochs {e}: must be at least 1");
            steps = (long)e * plan.StepsPerEpoch;
            if (steps > int.MaxValue) throw new RunSpecException($"--epochs {e}: {steps} steps is too many");
        }
        return spec.FairBudget ? (int)Math.Max(1, steps / InnerSteps(spec)) : (int)steps;
    }

    /// <summary>L, Entropy-SGD's batches per outer step (--inner-steps, default 5); 1 for every other optimizer.</summary>
    public static int InnerSteps(RunSpec spec)
    {
        if (RunNetwork.Optimizer(spec).Name != EntropySgd<float>.KindName) return 1;
        int l = spec.InnerSteps ?? new OptimizerSettings(0).InnerSteps;
        if (l < 1) throw new RunSpecException($"--inner-steps {l}: must be at least 1 (with L = 0 it is SGD: use --optimizer sgd)");
        return l;
    }

    /// <summary>
    /// The epochs the run covers (for the cosine schedule and Replicated-SGD's γ): --epochs, else the steps' epochs rounded
    /// up. For Entropy-SGD they are outer epochs of ⌈n/B⌉ outer steps, or with --fair-budget passes over the data.
    /// </summary>
    public static int Epochs(RunSpec spec, BatchPlan plan) => spec.Epochs ?? Math.Max(1, (spec.Steps + plan.StepsPerEpoch - 1) / plan.StepsPerEpoch);

    /// <summary>
    /// The optimizer's hyperparameters, with PyTorch's defaults (and the code lineage's for Entropy-SGD and Replicated-SGD)
    /// where the spec says nothing; <paramref name="steps"/> and <paramref name="epochs"/> are the run's (γ's growth).
    /// Entropy-SGD's noise is seeded by --seed ^ 0x5617D0015E.
    /// </summary>
    public static OptimizerSettings Settings(RunSpec spec, double learningRate, long steps = 0, int epochs = 0)
    {
        var d = new OptimizerSettings(learningRate);
        return d with
        {
            Momentum = spec.Momentum ?? d.Momentum, Dampening = spec.Dampening ?? d.Dampening, Nesterov = spec.Nesterov,
            WeightDecay = spec.WeightDecay ?? d.WeightDecay, Beta1 = spec.Beta1 ?? d.Beta1, Beta2 = spec.Beta2 ?? d.Beta2,
            Epsilon = spec.Epsilon ?? d.Epsilon, Alpha = spec.Alpha ?? d.Alpha, Centered = spec.Centered,
            InnerSteps = spec.InnerSteps ?? d.InnerSteps, SgldLr = spec.SgldLr ?? d.SgldLr, SgldNoise = spec.SgldNoise ?? d.SgldNoise, SgldNoiseFloat32 = spec.SgldNoiseFloat32,
            SgldMomentum = spec.SgldMomentum ?? d.SgldMomentum, EmaAlpha = spec.EmaAlpha ?? d.EmaAlpha, Gamma0 = spec.Gamma0, Gamma1 = spec.Gamma1,
            GammaMax = spec.GammaMax ?? d.GammaMax, GScale = spec.Gscale ?? d.GScale, NoiseSeed = spec.Seed ^ 0x5617D0015EUL, OuterSteps = steps,
            Replicas = Replicas(spec), GammaSchedule = spec.GammaSchedule ?? d.GammaSchedule, Epochs = epochs,
            TargetSparsity = spec.TargetSparsity ?? d.TargetSparsity, PriorAlpha = spec.PriorAlpha ?? d.PriorAlpha, TrueGradient = spec.TrueGradient,
            Temperature = spec.Temperature ?? d.Temperature, L1 = spec.L1 ?? d.L1, MaxSparsity = spec.MaxSparsity ?? d.MaxSparsity,
        };
    }

    /// <summary>Which optimizers each hyperparameter option belongs to.</summary>
    private static readonly (string Option, Func<RunSpec, bool> Given, string[] Optimizers)[] Owners =
    [
        ("--momentum", s => s.Momentum is not null, ["sgd", "rmsprop", "entropy-sgd", "replicated-sgd"]),
        ("--dampening", s => s.Dampening is not null, ["sgd", "entropy-sgd", "replicated-sgd"]),
        ("--nesterov", s => s.Nesterov, ["sgd", "entropy-sgd", "replicated-sgd"]),
        ("--weight-decay", s => s.WeightDecay is not null, ["sgd", "adam", "rmsprop", "entropy-sgd", "replicated-sgd"]),
        ("--beta1", s => s.Beta1 is not null, ["adam", "grad-r", "deep-r", "soft-deep-r"]),
        ("--beta2", s => s.Beta2 is not null, ["adam", "grad-r", "deep-r", "soft-deep-r"]),
        ("--epsilon", s => s.Epsilon is not null, ["adam", "rmsprop", "grad-r", "deep-r", "soft-deep-r"]),
        ("--alpha", s => s.Alpha is not null, ["rmsprop"]),
        ("--centered", s => s.Centered, ["rmsprop"]),
        ("--inner-steps", s => s.InnerSteps is not null, ["entropy-sgd"]),
        ("--sgld-lr", s => s.SgldLr is not null, ["entropy-sgd"]),
        ("--sgld-noise", s => s.SgldNoise is not null, ["entropy-sgd"]),
        ("--sgld-noise-float32", s => s.SgldNoiseFloat32, ["entropy-sgd"]),
        ("--sgld-momentum", s => s.SgldMomentum is not null, ["entropy-sgd"]),
        ("--ema-alpha", s => s.EmaAlpha is not null, ["entropy-sgd"]),
        ("--gscale", s => s.Gscale is not null, ["entropy-sgd"]),
        ("--fair-budget", s => s.FairBudget, ["entropy-sgd"]),
        ("--gamma0", s => s.Gamma0 is not null, ["entropy-sgd", "replicated-sgd"]),
        ("--gamma1", s => s.Gamma1 is not null, ["entropy-sgd", "replicated-sgd"]),
        ("--gamma-max", s => s.GammaMax is not null, ["entropy-sgd", "replicated-sgd"]),
        ("--replicas", s => s.Replicas is not null, ["replicated-sgd"]),
        ("--gamma-schedule", s => s.GammaSchedule is not null, ["replicated-sgd"]),
        ("--target-sparsity", s => s.TargetSparsity is not null, ["grad-r"]),
        ("--prior-alpha", s => s.PriorAlpha is not null, ["grad-r"]),
        ("--true-gradient", s => s.TrueGradient, ["grad-r"]),
        ("--temperature", s => s.Temperature is not null, ["deep-r", "soft-deep-r"]),
        ("--l1", s => s.L1 is not null, ["deep-r", "soft-deep-r"]),
        ("--max-sparsity", s => s.MaxSparsity is not null, ["deep-r", "soft-deep-r"]),
    ];

    /// <summary>
    /// The optimizer of the spec, built with its settings for a run of <paramref name="plan"/>'s batches; a bad setting, or
    /// one the optimizer does not have, is bad input.
    /// </summary>
    public static IOptimizer<T> Optimizer<T>(RunSpec spec, double learningRate, BatchPlan plan) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var kind = RunNetwork.Optimizer(spec);
        foreach (var (option, given, owners) in Owners)
            if (given(spec) && !owners.Contains(kind.Name))
                throw new RunSpecException($"{option}: the {kind.Name} optimizer has no such setting (it belongs to {string.Join(", ", owners)})");
        if (spec.Gamma1 is not null && spec.GammaMax is not null)
            throw new RunSpecException("--gamma1 and --gamma-max: give one of them (--gamma-max sets γ1 so that γ grows ×γmax over the run)");
        var settings = Settings(spec, learningRate, Steps(spec, plan), Epochs(spec, plan));
        try { return kind.Create<T>(settings); }
        catch (ArgumentException e) { throw new RunSpecException($"--optimizer {kind.Name}: {e.Message}"); }
    }

    /// <summary>
    /// --lr-schedule as η at each epoch of the loop (which counts epochs in batches), or null for the constant default (the
    /// optimizer keeps its rate). Entropy-SGD's milestones and cosine length count outer epochs, L passes over the data
    /// each (the code lineage's); with --fair-budget they count passes over the data, i.e. outer epochs / L.
    /// </summary>
    public static Func<int, double>? Schedule(RunSpec spec, double baseRate, int epochs)
    {
        if (spec.LrSchedule is null && spec.LrMilestones is null && spec.LrGamma is null) return null;
        ILearningRateSchedule schedule;
        try { schedule = LearningRateSchedules.Create(spec.LrSchedule ?? ConstantSchedule.KindName, epochs, spec.LrMilestones, spec.LrGamma); }
        catch (ArgumentException e) { throw new RunSpecException(e.Message); }
        int passes = spec.FairBudget ? 1 : InnerSteps(spec);
        return epoch => schedule.At(baseRate, epoch / passes);
    }

    /// <summary>--parameterization.</summary>
    public static Parameterization Parameterization(RunSpec spec) => (spec.Parameterization ?? "ntk").ToLowerInvariant() switch
    {
        "ntk" => Architectures.Parameterization.Ntk,
        "standard" => Architectures.Parameterization.Standard,
        var p => throw new RunSpecException($"--parameterization {p}: expected {Choices.Or(Choices.Parameterizations)}"),
    };
}
