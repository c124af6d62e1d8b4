using System.Numerics;
using Overparam.Architectures;
using Overparam.Numerics;
using Overparam.Training;
using Overparam.Training.Optimizers;

namespace Overparam.Experiments;

/// <summary>
/// The options of issue 14 on a run (docs/mathematics.md §13–14):
/// --lr-hidden (a separate hidden learning rate, <see cref="HiddenLearningRate{T}"/>), --two-phase-at and its settings
/// (<see cref="TwoPhase{T}"/>), and --probe-expressivity-every (<see cref="ExpressivityProbe{T}"/>). Without them the
/// base optimizer is used as it is and nothing is added.
/// </summary>
internal sealed class PracticalSizes<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public IOptimizer<T> Optimizer { get; }

    /// <summary>The two-phase run's record, or null.</summary>
    public TwoPhaseRecord<T>? Record { get; }

    private PracticalSizes(IOptimizer<T> optimizer, TwoPhaseRecord<T>? record) => (Optimizer, Record) = (optimizer, record);

    public IReadOnlyDictionary<string, double> Final() => Record?.Final() ?? new Dictionary<string, double>();

    /// <summary>The extra metrics sources: the expressivity probe when asked, the two-phase state when running.</summary>
    public IReadOnlyList<IMetricsSource> Sources(RunSpec spec, RunModel<T> run, Matrix<T> x, int lastEpoch)
    {
        var list = new List<IMetricsSource>();
        if (spec.ProbeExpressivityEvery < 0) throw new RunSpecException($"--probe-expressivity-every {spec.ProbeExpressivityEvery}: must be non-negative");
        if (spec.ProbeExpressivityEvery > 0)
            list.Add(new ExpressivityProbe<T>(ExpressivityProbe<T>.Of(run.Network, run.Refresh, x, "--probe-expressivity-every"), spec.ProbeExpressivityEvery, lastEpoch));
        if (Record is not null) list.Add(Record);
        return list;
    }

    public static PracticalSizes<T> Wrap(RunSpec spec, IOptimizer<T> optimizer, double eta, BatchPlan plan, int steps, bool[] trained,
        RunModel<T> run, Matrix<T> x, List<string> warnings, TextWriter? warningsTo)
    {
        if (spec.LrHidden is null && spec.TwoPhaseAt is null)
        {
            foreach (var (given, option) in new[] { (spec.TwoPhaseCheckEvery is not null, "--two-phase-check-every"), (spec.TwoPhaseCheck is not null, "--two-phase-check"), (spec.TwoPhaseKeep is not null, "--two-phase-keep"),
                (spec.TwoPhasePerturbation is not null, "--two-phase-perturbation"), (spec.RequireCondition, "--require-condition") })
                if (given) throw new RunSpecException($"{option} belongs to the two-phase rule: give --two-phase-at τ too");
            return new PracticalSizes<T>(optimizer, null);
        }
        double factor = 1;
        if (spec.LrHidden is double lrHidden)
        {
            if (!(lrHidden >= 0 && double.IsFinite(lrHidden))) throw new RunSpecException($"--lr-hidden {lrHidden}: must be a finite number ≥ 0");
            if (!(eta > 0)) throw new RunSpecException($"--lr-hidden: the output layer's η is {eta}; the hidden rate is set relative to a positive η");
            var names = run.Network.Parameters.Select(p => p.Name).ToArray();
            bool hiddenTrained = names.Where((n, i) => !HiddenLearningRate<T>.IsOutput(n) && trained[i]).Any();
            bool outputTrained = names.Where((n, i) => HiddenLearningRate<T>.IsOutput(n) && trained[i]).Any();
            if (!hiddenTrained || !outputTrained)
                throw new RunSpecException($"--lr-hidden with --train {spec.Train}: a separate hidden rate needs both the hidden layers and the output layer trained (for hidden layers frozen use --train output)");
            factor = lrHidden / eta;
        }
        var hidden = new HiddenLearningRate<T>(optimizer, factor);
        if (spec.TwoPhaseAt is not int tau) return new PracticalSizes<T>(hidden, null);

        if (tau < 0) throw new RunSpecException($"--two-phase-at {tau}: τ must be ≥ 0");
        long tauStep = spec.Epochs is not null ? (long)tau * plan.StepsPerEpoch : tau;
        string unit = spec.Epochs is not null ? "epochs" : "steps";
        if (tauStep >= steps)
        {
            string why = $"--two-phase-at {tau} ({unit}): τ is at or beyond the run's end ({steps} steps), so phase 2 never starts";
            if (spec.RequireCondition) throw new RunSpecException(why + " and --require-condition cannot be checked; choose τ below the budget");
            warningsTo?.WriteLine("warning: " + why + "; the run is the base optimizer's");
        }
        bool certified = (spec.TwoPhaseCheck ?? "exact") switch
        {
            "exact" => false,
            "certified" => true,
            var other => throw new RunSpecException($"--two-phase-check {other}: must be one of {string.Join(", ", TwoPhaseSettings.CheckNames)}"),
        };
        var features = ExpressivityProbe<T>.Of(run.Network, run.Refresh, x, "--two-phase-at");
        var settings = new TwoPhaseSettings((int)Math.Min(tauStep, int.MaxValue), spec.TwoPhaseCheckEvery ?? plan.StepsPerEpoch, spec.TwoPhaseKeep ?? 0.5,
            spec.RequireCondition, spec.TwoPhasePerturbation ?? 0, spec.Seed ^ 0x7E0FA5EUL, certified);
        TwoPhase<T> rule;
        var statistics = run.Model is IBatchNormModel<T> { Buffers.Count: > 0 } bn ? bn : null;     // frozen at τ (docs/mathematics.md §14)
        try { rule = new TwoPhase<T>(hidden, features, settings, statistics); }
        catch (ArgumentException e) { throw new RunSpecException(e.Message); }
        return new PracticalSizes<T>(rule, new TwoPhaseRecord<T>(rule, settings, spec.Epochs is not null ? tau : null));
    }
}
