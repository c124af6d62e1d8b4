using Overparam.Architectures;
using Overparam.Training;
using Overparam.Training.Losses;
using Overparam.Training.Optimizers;
using Overparam.Training.Schedules;

namespace Overparam.Experiments;

/// <summary>How a <see cref="RunSpec"/> trains: its loss, batches, step budget, optimizer settings and learning-rate schedule, each checked.</summary>
public static class RunTraining
{
    /// <summary>--loss, defaulting to the paper's half-sum-squares for one output and cross-entropy for C ≥ 2.</summary>
    public static ILoss Loss(RunSpec spec, int outputs)
    {
        var name = spec.Loss ?? (outputs == 1 ? HalfSumSquares.Instance.Name : CrossEntropy.Instance.Name);
        var loss = Training.Losses.Loss.TryParse(name)
            ?? throw new RunSpecException($"--loss {name}: expected one of {string.Join(", ", Training.Losses.Loss.Names)}");
        if (loss is CrossEntropy && outputs < 2)
            throw new RunSpecException("--loss cross-entropy needs C ≥ 2 outputs (--outputs, or data with classes); for one output use half-sum-squares or mse");
        return loss;
    }

    /// <summary>--batch-size (default n) and --shuffle; the shuffle is seeded by --seed.</summary>
    public static BatchPlan Batches(RunSpec spec, int n)
    {
        int b = spec.BatchSize ?? n;
        if (b < 1 || b > n) throw new RunSpecException($"--batch-size {b}: must be between 1 and the number of training samples n = {n}");
        return new BatchPlan(n, b, spec.Shuffle ?? true, spec.Seed ^ 0x5EED0F0DE5UL);
    }

    /// <summary>The step budget: --epochs × ⌈n/B⌉ when --epochs is given, else --steps.</summary>
    public static int Steps(RunSpec spec, BatchPlan plan)
    {
        if (spec.Epochs is not int e) return spec.Steps;
        if (e < 1) throw new RunSpecException($"--epochs {e}: must be at least 1");
        long steps = (long)e * plan.StepsPerEpoch;
        if (steps > int.MaxValue) throw new RunSpecException($"--epochs {e}: {steps} steps is too many");
        return (int)steps;
    }

    /// <summary>The epochs the run covers (for the cosine schedule): --epochs, else the steps' epochs rounded up.</summary>
    public static int Epochs(RunSpec spec, BatchPlan plan) => spec.Epochs ?? Math.Max(1, (spec.Steps + plan.StepsPerEpoch - 1) / plan.StepsPerEpoch);

    /// <summary>The optimizer's hyperparameters, with PyTorch's defaults where the spec says nothing.</summary>
    public static OptimizerSettings Settings(RunSpec spec, double learningRate)
    {
        var d = new OptimizerSettings(learningRate);
        return d with
        {
            Momentum = spec.Momentum ?? d.Momentum, Dampening = spec.Dampening ?? d.Dampening, Nesterov = spec.Nesterov,
            WeightDecay = spec.WeightDecay ?? d.WeightDecay, Beta1 = spec.Beta1 ?? d.Beta1, Beta2 = spec.Beta2 ?? d.Beta2,
            Epsilon = spec.Epsilon ?? d.Epsilon, Alpha = spec.Alpha ?? d.Alpha, Centered = spec.Centered,
        };
    }

    /// <summary>Which optimizers each hyperparameter option belongs to.</summary>
    private static readonly (string Option, Func<RunSpec, bool> Given, string[] Optimizers)[] Owners =
    [
        ("--momentum", s => s.Momentum is not null, ["sgd", "rmsprop"]),
        ("--dampening", s => s.Dampening is not null, ["sgd"]),
        ("--nesterov", s => s.Nesterov, ["sgd"]),
        ("--weight-decay", s => s.WeightDecay is not null, ["sgd", "adam", "rmsprop"]),
        ("--beta1", s => s.Beta1 is not null, ["adam"]),
        ("--beta2", s => s.Beta2 is not null, ["adam"]),
        ("--epsilon", s => s.Epsilon is not null, ["adam", "rmsprop"]),
        ("--alpha", s => s.Alpha is not null, ["rmsprop"]),
        ("--centered", s => s.Centered, ["rmsprop"]),
    ];

    /// <summary>The optimizer of the spec, built with its settings; a bad setting, or one the optimizer does not have, is bad input.</summary>
    public static IOptimizer<T> Optimizer<T>(RunSpec spec, double learningRate) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var kind = RunNetwork.Optimizer(spec);
        foreach (var (option, given, owners) in Owners)
            if (given(spec) && !owners.Contains(kind.Name))
                throw new RunSpecException($"{option}: the {kind.Name} optimizer has no such setting (it belongs to {string.Join(", ", owners)})");
        try { return kind.Create<T>(Settings(spec, learningRate)); }
        catch (ArgumentException e) { throw new RunSpecException($"--optimizer {kind.Name}: {e.Message}"); }
    }

    /// <summary>--lr-schedule as η at each epoch, or null for the constant default (the optimizer keeps its rate).</summary>
    public static Func<int, double>? Schedule(RunSpec spec, double baseRate, int epochs)
    {
        if (spec.LrSchedule is null && spec.LrMilestones is null && spec.LrGamma is null) return null;
        ILearningRateSchedule schedule;
        try { schedule = LearningRateSchedules.Create(spec.LrSchedule ?? ConstantSchedule.KindName, epochs, spec.LrMilestones, spec.LrGamma); }
        catch (ArgumentException e) { throw new RunSpecException(e.Message); }
        return epoch => schedule.At(baseRate, epoch);
    }

    /// <summary>--parameterization.</summary>
    public static Parameterization Parameterization(RunSpec spec) => (spec.Parameterization ?? "ntk").ToLowerInvariant() switch
    {
        "ntk" => Architectures.Parameterization.Ntk,
        "standard" => Architectures.Parameterization.Standard,
        var p => throw new RunSpecException($"--parameterization {p}: expected {Choices.Or(Choices.Parameterizations)}"),
    };
}
