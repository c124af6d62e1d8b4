using System.Diagnostics;
using System.Numerics;
using Overparam.Architectures;
using Overparam.Numerics;
using Overparam.Training.Losses;

namespace Overparam.Training;

/// <summary>
/// The training loop, whatever the optimizer: at each step k it evaluates the model and the loss at θ(k), stops on
/// divergence, the target, the budget or cancellation, shows the step to the observer, and hands the update to the
/// optimizer. On divergence at step k the model is put back to θ(k − 1) (a copy taken before each update), so a diverged
/// run ends with the last parameters whose loss was finite, and that loss. With <see cref="Optimizers.GradientDescent{T}"/> and the half-sum-squares loss it is the paper's full-batch
/// gradient descent θ(k+1) = θ(k) − η ∂L/∂θ(k) (eq. 1).
/// </summary>
public static class TrainingLoop
{
    public static TrainingResult Run<T>(IModel<T> model, Matrix<T> x, ReadOnlySpan<T> y, IOptimizer<T> optimizer, TrainingOptions options,
        ITrainingObserver<T>? observer = null, CancellationToken cancel = default, ILoss? loss = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        loss ??= HalfSumSquares.Instance;
        int n = x.Rows;
        if (y.Length != n) throw new ArgumentException($"{y.Length} labels for {n} samples");
        var plan = options.Batches ?? new BatchPlan(n);
        if (plan.Count != n) throw new ArgumentException($"the batch plan is for {plan.Count} samples, the data has {n}");
        var stream = new BatchStream<T>(model, x, y.ToArray(), plan, loss, options.Trained);
        var clock = Stopwatch.StartNew();
        double initial = options.InitialLoss ?? double.NaN, last = double.NaN;
        long batch = options.StartBatch ?? options.StartStep;
        var kept = new ParameterSnapshot<T>(model, options.Trained);
        for (int k = options.StartStep; ; k++)
        {
            double value = stream.Evaluate(batch);
            if (k == 0) initial = value;
            if (!double.IsFinite(value) || value > options.DivergenceFactor * initial)
            {
                string why = double.IsFinite(value) ? $"loss {value:G6} exceeded {options.DivergenceFactor:G3}·L(0) at step {k}" : $"loss became {value} at step {k}";
                if (kept.Restore()) why += $"; the weights kept are those of step {kept.Step}, the last before the divergence";
                return new TrainingResult(TrainingStatus.Diverged, k, initial, last, clock.Elapsed.TotalSeconds, k, why,
                    kept.Step >= 0 ? kept.Step : k);
            }
            last = value;
            model.Backward(stream.Gradient);
            var status = value <= options.TargetLoss ? TrainingStatus.Converged
                : k >= options.MaxSteps ? TrainingStatus.BudgetExhausted
                : cancel.IsCancellationRequested ? TrainingStatus.Stopped
                : TrainingStatus.Running;
            int epoch = plan.Epoch(batch);
            if (options.LearningRate is { } schedule) optimizer.LearningRate = schedule(epoch);
            observer?.OnStep(new StepState<T>
            {
                Step = k, Epoch = epoch, LearningRate = optimizer.LearningRate, Loss = value, Seconds = clock.Elapsed.TotalSeconds,
                IsLast = status != TrainingStatus.Running, Outputs = stream.Outputs, Model = model,
            });
            if (status != TrainingStatus.Running)
                return new TrainingResult(status, k, initial, value, clock.Elapsed.TotalSeconds);
            stream.Next = batch + 1;
            kept.Take(k);
            optimizer.Step(new OptimizerStep<T> { Step = k, Epoch = epoch, Model = model, Loss = value, OutputGradient = stream.Gradient, Trained = options.Trained, Oracle = stream });
            batch = stream.Next;
            observer?.AfterUpdate(k + 1, batch);
        }
    }
}
