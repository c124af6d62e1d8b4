using System.Diagnostics;
using System.Numerics;
using Overparam.Architectures;
using Overparam.Numerics;

namespace Overparam.Training;

/// <summary>What an observer sees at step k: θ(k), u(k) and L(θ(k)), after the backward pass and before the update.</summary>
public readonly ref struct StepState<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public int Step { get; init; }
    public double Loss { get; init; }
    public double Seconds { get; init; }
    /// <summary>True for the last step of the run (target reached, budget exhausted or stopped).</summary>
    public bool IsLast { get; init; }
    public ReadOnlySpan<T> Outputs { get; init; }
    public INetwork<T> Network { get; init; }
}

/// <summary>Receives every step of a run; probes and metrics writers implement it.</summary>
public interface ITrainingObserver<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    void OnStep(in StepState<T> state);
}

/// <summary>Full-batch gradient descent on L(θ) = ½ Σ (f(θ, x_i) − y_i)² (eq. 1), θ(k+1) = θ(k) − η ∂L/∂θ(k).</summary>
public static class GradientDescent
{
    public static TrainingResult Run<T>(INetwork<T> net, Matrix<T> x, ReadOnlySpan<T> y, TrainingOptions options,
        ITrainingObserver<T>? observer = null, CancellationToken cancel = default) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = x.Rows;
        if (y.Length != n) throw new ArgumentException($"{y.Length} labels for {n} samples");
        var u = new T[n];
        var r = new T[n];
        T eta = T.CreateTruncating(options.LearningRate);
        var clock = Stopwatch.StartNew();
        double initial = double.NaN, last = double.NaN;
        for (int k = 0; ; k++)
        {
            net.Forward(x, u);
            double loss = 0;
            for (int i = 0; i < n; i++)
            {
                r[i] = u[i] - y[i];
                double ri = double.CreateTruncating(r[i]);
                loss += 0.5 * ri * ri;
            }
            if (k == 0) initial = loss;
            if (!double.IsFinite(loss) || loss > options.DivergenceFactor * initial)
                return new TrainingResult(TrainingStatus.Diverged, k, initial, last, clock.Elapsed.TotalSeconds, k,
                    double.IsFinite(loss) ? $"loss {loss:G6} exceeded {options.DivergenceFactor:G3}·L(0) at step {k}" : $"loss became {loss} at step {k}");
            last = loss;
            net.BackPropagate();
            var status = loss <= options.TargetLoss ? TrainingStatus.Converged
                : k >= options.MaxSteps ? TrainingStatus.BudgetExhausted
                : cancel.IsCancellationRequested ? TrainingStatus.Stopped
                : TrainingStatus.Running;
            observer?.OnStep(new StepState<T>
            {
                Step = k, Loss = loss, Seconds = clock.Elapsed.TotalSeconds, IsLast = status != TrainingStatus.Running,
                Outputs = u, Network = net,
            });
            if (status != TrainingStatus.Running)
                return new TrainingResult(status, k, initial, loss, clock.Elapsed.TotalSeconds);
            net.DescentStep(r, eta, options.Trained);
        }
    }
}
