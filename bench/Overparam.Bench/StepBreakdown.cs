using System.Diagnostics;
using System.Numerics;
using Overparam.Architectures;
using Overparam.Experiments;
using Overparam.IO;
using Overparam.Numerics;
using Overparam.Training;
using Overparam.Training.Losses;

namespace Overparam.Bench;

/// <summary>The phases of one minibatch step, in the order the training loop runs them.</summary>
public enum Phase
{
    Gather, ForwardGemm, ForwardElementwise, Loss, BackwardGemm, BackwardElementwise,
    WeightGradientGemm, BiasGradientGemm, GradientOther, OptimizerUpdate, Observer, Rest,
}

/// <summary>
/// Where the time of a training loop goes: the library's own <see cref="TrainingLoop"/> runs with its model, loss,
/// optimizer and observer each wrapped in a timer, and the GEMM time inside each call read from the
/// <see cref="CountingBackend"/> (GEMV-shaped calls, the bias gradients Δᵀ1, counted apart). A few timestamps per
/// call are all the wrappers add.
/// <list type="bullet">
/// <item>gather: from the end of one step to the next Forward — copying the batch's rows (and, once per epoch, the
/// shuffle), plus the loop's own bookkeeping;</item>
/// <item>forward / backward: GEMM time and the rest (bias adds, the activation and its derivative; Δ = B ∘ σ′);</item>
/// <item>gradients (inside the optimizer's step): the weight GEMMs, the bias GEMVs and the rest;</item>
/// <item>optimizer update: the optimizer's step minus the gradients it asked for;</item>
/// <item>observer: the run's metrics.csv row (RunObserver, as a run folder writes it);</item>
/// <item>rest: the loop's wall time minus all of the above.</item>
/// </list>
/// </summary>
public sealed class StepBreakdown
{
    public static readonly string[] Labels =
    [
        "gather batch rows (+ loop bookkeeping)", "forward GEMMs", "forward element-wise (bias, activation)", "loss (softmax CE + ∂L/∂u)",
        "backward GEMMs", "backward element-wise (Δ = B ∘ σ′)", "weight-gradient GEMMs", "bias-gradient GEMVs",
        "gradients, other", "optimizer update", "observer (metrics row)", "rest of the loop",
    ];

    public double[] Seconds { get; } = new double[Labels.Length];
    public double[] Flops { get; } = new double[Labels.Length];
    /// <summary>Bytes allocated per update (after the first) on the loop's thread inside each phase (the wrappers read GC.GetAllocatedBytesForCurrentThread).</summary>
    public double[] Allocated { get; } = new double[Labels.Length];
    public int Updates { get; private set; }
    public double LoopSeconds { get; private set; }
    /// <summary>
    /// Bytes allocated per update after the first (which allocates the buffers once: <see cref="FirstStepAllocated"/>):
    /// by the training thread (GC.GetAllocatedBytesForCurrentThread) and by all threads; gen-0 collections after it.
    /// </summary>
    public double AllocatedPerStepThisThread { get; private set; }
    public double AllocatedPerStepAllThreads { get; private set; }
    public long FirstStepAllocated { get; private set; }
    public int Gen0Collections { get; private set; }
    private long threadBytesAfterFirst, allBytesAfterFirst;
    private int gen0AfterFirst;

    private readonly CountingBackend blas;
    private long stepEnd;
    private double gradientsWall;
    private long gradientsBytes;

    private StepBreakdown(CountingBackend blas) { this.blas = blas; }

    /// <summary>Trains <paramref name="epochs"/> epochs of <paramref name="spec"/> (built as RunExecutor builds it) and splits the loop's time.</summary>
    public static StepBreakdown Measure<T>(RunSpec spec, LabelledDataCache data, CountingBackend blas, string folderPath)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var config = RunNetwork.Config(spec, data.Data.Train, data.Data.Classes);
        var run = RunModel<T>.Create(spec, config, RunNetwork.Trained(spec, config), null, "");   // one network, or Replicated-SGD's replicas
        var model = run.Model;
        var loss = RunTraining.Loss(spec, config.Outputs);
        var plan = RunTraining.Batches(spec, data.Data.Train.Count);
        int steps = RunTraining.Steps(spec, plan);
        var optimizer = RunTraining.Optimizer<T>(spec, spec.Lr, plan);
        var (x, y) = data.Converted<T>();
        string[] columns = [MetricColumns.Step, MetricColumns.Loss, MetricColumns.Seconds, MetricColumns.Epoch, MetricColumns.LearningRate];
        if (Directory.Exists(folderPath)) Directory.Delete(folderPath, true);
        using var folder = RunFolder.Create(folderPath);
        folder.StartMetrics(columns);
        var observer = new RunObserver<T>(folder, null, null, true, null, steps, 0, double.NaN, null, 0);

        var b = new StepBreakdown(blas);
        var options = new TrainingOptions(steps, spec.TargetLoss, run.Trained, Batches: plan);
        long threadBytes = GC.GetAllocatedBytesForCurrentThread();
        b.stepEnd = b.Start();
        var result = TrainingLoop.Run<T>(new TimedModel<T>(model, b), x, y, new TimedOptimizer<T>(optimizer, b), options,
            new TimedObserver<T>(observer, b), default, new TimedLoss(loss, b));
        int later = result.Steps - 1;
        b.FirstStepAllocated = b.threadBytesAfterFirst - threadBytes;
        b.AllocatedPerStepThisThread = (GC.GetAllocatedBytesForCurrentThread() - b.threadBytesAfterFirst) / (double)later;
        b.AllocatedPerStepAllThreads = (GC.GetTotalAllocatedBytes(true) - b.allBytesAfterFirst) / (double)later;
        b.Gen0Collections = GC.CollectionCount(0) - b.gen0AfterFirst;
        for (int p = 0; p < b.Allocated.Length; p++) b.Allocated[p] /= later;
        b.Updates = result.Steps;
        b.LoopSeconds = result.Seconds;
        b.Seconds[(int)Phase.Rest] = result.Seconds - b.Seconds.Sum();
        return b;
    }

    private (double Gemm, double Narrow, double Flops, double NarrowFlops, long T0) Begin()
    {
        bytes = GC.GetAllocatedBytesForCurrentThread();
        return (blas.Seconds, blas.NarrowSeconds, blas.Flops, blas.NarrowFlops, Stopwatch.GetTimestamp());
    }

    private long bytes;

    /// <summary>Starts timing a phase without GEMMs: the timestamp, and the allocation counter for <see cref="Allocation"/>.</summary>
    private long Start()
    {
        bytes = GC.GetAllocatedBytesForCurrentThread();
        return Stopwatch.GetTimestamp();
    }

    /// <summary>Charges the bytes allocated since the last <see cref="Begin"/> or <see cref="Start"/> to phase <paramref name="p"/>.</summary>
    private void Allocation(Phase p) => Allocated[(int)p] += GC.GetAllocatedBytesForCurrentThread() - bytes;

    /// <summary>Wall, GEMM (excluding GEMV-shaped), GEMV-shaped seconds and the flops of each since <paramref name="s"/>.</summary>
    private (double Wall, double Gemm, double Narrow, double Flops, double NarrowFlops) End((double Gemm, double Narrow, double Flops, double NarrowFlops, long T0) s)
    {
        double wall = Stopwatch.GetElapsedTime(s.T0).TotalSeconds;
        double narrow = blas.NarrowSeconds - s.Narrow;
        double narrowFlops = blas.NarrowFlops - s.NarrowFlops;
        return (wall, blas.Seconds - s.Gemm - narrow, narrow, blas.Flops - s.Flops - narrowFlops, narrowFlops);
    }

    private void Add(Phase p, double seconds, double flops = 0)
    {
        Seconds[(int)p] += seconds;
        Flops[(int)p] += flops;
    }

    private sealed class TimedModel<T>(IModel<T> inner, StepBreakdown b) : IModel<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public IReadOnlyList<Parameter<T>> Parameters => inner.Parameters;
        public int Outputs => inner.Outputs;
        public int InputSize => inner.InputSize;

        public void Forward(Matrix<T> x, Span<T> outputs)
        {
            b.Add(Phase.Gather, Stopwatch.GetElapsedTime(b.stepEnd).TotalSeconds);
            b.Allocation(Phase.Gather);
            var s = b.Begin();
            inner.Forward(x, outputs);
            var e = b.End(s);
            b.Add(Phase.ForwardGemm, e.Gemm + e.Narrow, e.Flops + e.NarrowFlops);
            b.Add(Phase.ForwardElementwise, e.Wall - e.Gemm - e.Narrow);
            b.Allocation(Phase.ForwardElementwise);
        }

        public void Backward(ReadOnlySpan<T> outputGradient)
        {
            var s = b.Begin();
            inner.Backward(outputGradient);
            var e = b.End(s);
            b.Add(Phase.BackwardGemm, e.Gemm + e.Narrow, e.Flops + e.NarrowFlops);
            b.Add(Phase.BackwardElementwise, e.Wall - e.Gemm - e.Narrow);
            b.Allocation(Phase.BackwardElementwise);
        }

        public void Gradients(IReadOnlyList<T[]> gradients, IReadOnlyList<bool>? trained = null)
        {
            var s = b.Begin();
            inner.Gradients(gradients, trained);
            b.GradientsDone(s);
        }
    }

    private void GradientsDone((double Gemm, double Narrow, double Flops, double NarrowFlops, long T0) s)
    {
        var e = End(s);
        Add(Phase.WeightGradientGemm, e.Gemm, e.Flops);
        Add(Phase.BiasGradientGemm, e.Narrow, e.NarrowFlops);
        Add(Phase.GradientOther, e.Wall - e.Gemm - e.Narrow);
        gradientsBytes = GC.GetAllocatedBytesForCurrentThread() - bytes;
        Allocation(Phase.GradientOther);
        gradientsWall = e.Wall;
    }

    private sealed class TimedLoss(ILoss inner, StepBreakdown b) : ILoss
    {
        public string Name => inner.Name;
        public string Formula => inner.Formula;
        public bool IsMean => inner.IsMean;

        public double Evaluate<T>(ReadOnlySpan<T> outputs, ReadOnlySpan<T> targets, int classes, Span<T> gradient) where T : unmanaged, IFloatingPointIeee754<T>
        {
            long t0 = b.Start();
            double v = inner.Evaluate(outputs, targets, classes, gradient);
            b.Add(Phase.Loss, Stopwatch.GetElapsedTime(t0).TotalSeconds);
            b.Allocation(Phase.Loss);
            return v;
        }
    }

    private sealed class TimedOptimizer<T>(IOptimizer<T> inner, StepBreakdown b) : IOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public string Name => inner.Name;
        public double LearningRate { get => inner.LearningRate; set => inner.LearningRate = value; }

        public void Step(in OptimizerStep<T> step)
        {
            b.gradientsWall = 0;
            b.gradientsBytes = 0;
            long before = GC.GetAllocatedBytesForCurrentThread(), t0 = Stopwatch.GetTimestamp();
            inner.Step(step);
            b.Add(Phase.OptimizerUpdate, Stopwatch.GetElapsedTime(t0).TotalSeconds - b.gradientsWall);
            b.Allocated[(int)Phase.OptimizerUpdate] += GC.GetAllocatedBytesForCurrentThread() - before - b.gradientsBytes;
        }

        public IReadOnlyList<Tensor> SaveState() => inner.SaveState();
        public void RestoreState(IReadOnlyDictionary<string, Tensor> state) => inner.RestoreState(state);
    }

    private sealed class TimedObserver<T>(ITrainingObserver<T> inner, StepBreakdown b) : ITrainingObserver<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void OnStep(in StepState<T> state)
        {
            long t0 = b.Start();
            inner.OnStep(state);
            b.Add(Phase.Observer, Stopwatch.GetElapsedTime(t0).TotalSeconds);
            b.Allocation(Phase.Observer);
        }

        public void AfterUpdate(int nextStep, long nextBatch)
        {
            long t0 = b.Start();
            inner.AfterUpdate(nextStep, nextBatch);
            b.Add(Phase.Observer, Stopwatch.GetElapsedTime(t0).TotalSeconds);
            b.Allocation(Phase.Observer);
            if (nextStep == 1)
            {
                // The first update allocated the buffers (network, optimizer state) once; count the steady state from here.
                Array.Clear(b.Allocated);
                b.threadBytesAfterFirst = GC.GetAllocatedBytesForCurrentThread();
                b.allBytesAfterFirst = GC.GetTotalAllocatedBytes(true);
                b.gen0AfterFirst = GC.CollectionCount(0);
            }
            b.stepEnd = b.Start();
        }
    }
}

/// <summary>The classifier's data, loaded once (as RunExecutor loads it) and converted to each element type once.</summary>
public sealed class LabelledDataCache(RunSpec spec)
{
    public Overparam.Data.LabelledData Data { get; } = RunData.LoadSplit(spec, RunNetwork.Architecture(spec), out _, spec.Outputs ?? 1);
    private readonly Dictionary<Type, object> converted = [];

    public (Matrix<T> X, T[] Y) Converted<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!converted.TryGetValue(typeof(T), out var c))
        {
            var x = typeof(T) == typeof(double) ? (Matrix<T>)(object)Data.Train.X : Data.Train.X.Convert<T>();
            converted[typeof(T)] = c = (x, Data.Train.Y.Select(T.CreateTruncating).ToArray());
        }
        return ((Matrix<T>, T[]))c;
    }
}
