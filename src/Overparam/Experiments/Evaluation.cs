using System.Numerics;
using Overparam.Architectures;
using Overparam.Data;
using Overparam.Numerics;
using Overparam.Training;
using Overparam.Training.Losses;

namespace Overparam.Experiments;

/// <summary>
/// The loss and error of the current parameters on the whole training set and on the test set, every
/// <c>every</c> epochs (every <c>every</c> steps for full-batch runs) and at the last step. It runs a second model over
/// the same parameter arrays, in chunks, so it neither touches the training model's buffers nor draws random numbers:
/// the trajectory is the same with or without it. The error is the misclassification rate: argmax for C ≥ 2 outputs,
/// the sign for one output with ±1 labels (no error column otherwise). The loss is the training loss on the whole set
/// (a sum for half-sum-squares, a mean for mse and cross-entropy).
/// </summary>
public sealed class Evaluation<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Rows per forward pass.</summary>
    public const int Chunk = 1024;

    private readonly IModel<T> model;
    private readonly ILoss loss;
    private readonly (Matrix<T> X, T[] Y)? train, test;
    private readonly int every, stepsPerEpoch, classes;
    private readonly bool hasError;

    public IReadOnlyList<string> Columns { get; }

    /// <summary>The test error of the last evaluation and the best one with its step (NaN/−1 without a test set).</summary>
    public double FinalTestError { get; private set; } = double.NaN;
    public double BestTestError { get; set; } = double.NaN;
    public int BestTestErrorStep { get; set; } = -1;

    public Evaluation(IModel<T> model, ILoss loss, Dataset trainSet, Dataset? testSet, int every, BatchPlan plan)
    {
        this.model = model; this.loss = loss; this.every = every;
        stepsPerEpoch = plan.StepsPerEpoch;
        classes = model.Outputs;
        train = Convert(trainSet);
        test = testSet is null ? null : Convert(testSet);
        hasError = classes > 1 || trainSet.Y.Concat(testSet?.Y ?? []).All(v => v is 1 or -1);
        var cols = new List<string> { MetricColumns.TrainLoss };
        if (hasError) cols.Add(MetricColumns.TrainError);
        if (test is not null)
        {
            cols.Add(MetricColumns.TestLoss);
            if (hasError) cols.Add(MetricColumns.TestError);
        }
        Columns = cols;
    }

    private static (Matrix<T>, T[]) Convert(Dataset d) =>
        (typeof(T) == typeof(double) ? (Matrix<T>)(object)d.X : d.X.Convert<T>(), d.Y.Select(T.CreateTruncating).ToArray());

    public bool Due(int step, bool isLast) => isLast || (step % stepsPerEpoch == 0 && step / stepsPerEpoch % every == 0);

    public void Measure(int step, Dictionary<string, double> row)
    {
        var (trainLoss, trainError) = Evaluate(train!.Value);
        row[MetricColumns.TrainLoss] = trainLoss;
        if (hasError) row[MetricColumns.TrainError] = trainError;
        if (test is not { } t) return;
        var (testLoss, testError) = Evaluate(t);
        row[MetricColumns.TestLoss] = testLoss;
        if (!hasError) return;
        row[MetricColumns.TestError] = testError;
        FinalTestError = testError;
        if (!(testError >= BestTestError)) { BestTestError = testError; BestTestErrorStep = step; }
    }

    private (double Loss, double Error) Evaluate((Matrix<T> X, T[] Y) set)
    {
        int n = set.X.Rows, rows = Math.Min(Chunk, n);
        var u = new T[rows * classes];
        var g = new T[u.Length];
        var xs = new Matrix<T>(rows, set.X.Cols);
        double total = 0;
        long wrong = 0;
        for (int start = 0; start < n; start += rows)
        {
            int r = Math.Min(rows, n - start);
            var view = Matrix<T>.View(r, set.X.Cols, xs.Data);
            set.X.Data.AsSpan(start * set.X.Cols, r * set.X.Cols).CopyTo(view.Span);
            var us = u.AsSpan(0, r * classes);
            model.Forward(view, us);
            double value = loss.Evaluate<T>(us, set.Y.AsSpan(start, r), classes, g.AsSpan(0, us.Length));
            total += loss.IsMean ? value * r / n : value;
            for (int i = 0; i < r; i++) if (Predicted(us.Slice(i * classes, classes)) != double.CreateTruncating(set.Y[start + i])) wrong++;
        }
        return (total, (double)wrong / n);
    }

    /// <summary>The predicted label: argmax for C ≥ 2 (the first maximum), the sign (+1 at 0) for one output.</summary>
    private double Predicted(ReadOnlySpan<T> u)
    {
        if (classes == 1) return u[0] >= T.Zero ? 1 : -1;
        int best = 0;
        for (int c = 1; c < classes; c++) if (u[c] > u[best]) best = c;
        return best;
    }
}
