using System.Diagnostics;
using System.Numerics;
using Overparam.Training;
using Overparam.Training.Optimizers;

namespace Overparam.Experiments;

/// <summary>
/// What a run does at each step besides training: one metrics.csv row (step, loss, seconds; epoch and η for minibatch
/// runs; γ for Entropy-SGD and Replicated-SGD; the probes, the evaluation, the flatness probe and the extra sources — expressivity probe, two-phase state — when due; connectivity and spike rates), progress, and a checkpoint every
/// <c>checkpointEvery</c> steps.
/// </summary>
/// <param name="secondsBefore">Seconds trained before this process (a resumed run's checkpoint), added to the clock.</param>
/// <param name="initialLoss">L(θ(0)) when it was measured before (a resumed run), else NaN until step 0.</param>
/// <param name="checkpoint">Writes a checkpoint for (next step, next batch, seconds, L(θ(0))).</param>
internal sealed class RunObserver<T>(RunFolder? folder, Probes<T>? probes, Evaluation<T>? evaluation, bool stochastic,
    IProgress<RunProgress>? progress, int maxSteps, double secondsBefore, double initialLoss,
    Action<int, long, double, double>? checkpoint, int checkpointEvery, ICoupled? coupled = null, FlatnessProbe<T>? flatness = null,
    IReadOnlyList<IMetricsSource>? sources = null, IReadOnlyList<IMetricsProbe>? everyStep = null)
    : ITrainingObserver<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public int LastStep; public double FirstLoss = initialLoss, LastLoss = double.NaN, LastSeconds;
    /// <summary>The last metrics row written.</summary>
    public IReadOnlyDictionary<string, double> LastRow { get; private set; } = new Dictionary<string, double>();
    private double sideSeconds;
    private int? firstStep;   // the step this process started at (0, or a resumed run's checkpoint)

    public void OnStep(in StepState<T> s)
    {
        if (s.Step == 0) FirstLoss = s.Loss;
        double seconds = secondsBefore + s.Seconds;
        var row = new Dictionary<string, double> { [MetricColumns.Step] = s.Step, [MetricColumns.Loss] = s.Loss, [MetricColumns.Seconds] = seconds };
        if (stochastic) { row[MetricColumns.Epoch] = s.Epoch; row[MetricColumns.LearningRate] = s.LearningRate; }
        if (coupled is not null) row[MetricColumns.Gamma] = coupled.Gamma(s.Step, s.Epoch);
        long t0 = Stopwatch.GetTimestamp();
        if (probes is not null)
        {
            if (probes.Due(s.Step, s.IsLast)) probes.Measure(s, row);
            else probes.Predict(s.Step, row);
        }
        if (evaluation is not null && evaluation.Due(s.Epoch, s.IsLast)) evaluation.Measure(s.Step, row);
        if (flatness is not null && flatness.Due(s.Epoch, s.IsLast)) flatness.Measure(row);
        foreach (var source in sources ?? []) if (source.Due(s.Epoch, s.IsLast)) source.Measure(row);
        foreach (var probe in everyStep ?? []) probe.Measure(row);
        sideSeconds += Stopwatch.GetElapsedTime(t0).TotalSeconds;
        folder?.AppendMetrics(row);
        LastStep = s.Step; LastLoss = s.Loss; LastSeconds = seconds;   // after the row is written: a run that fails ends at its last row
        LastRow = row;
        double trainSeconds = Math.Max(1e-9, s.Seconds - sideSeconds);
        firstStep ??= s.Step;
        progress?.Report(new RunProgress(s.Step, maxSteps, s.Loss, (s.Step - firstStep.Value) / trainSeconds));
    }

    public void AfterUpdate(int nextStep, long nextBatch)
    {
        if (checkpoint is not null && nextStep % checkpointEvery == 0) checkpoint(nextStep, nextBatch, LastSeconds, FirstLoss);
    }
}
