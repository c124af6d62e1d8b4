using System.Numerics;
using Overparam.Architectures;
using Overparam.Data;
using Overparam.Measures;
using Overparam.Numerics;
using Overparam.Training;
using Overparam.Training.Losses;

namespace Overparam.Experiments;

/// <summary>
/// The loss and error of the current parameters on the whole training set and on the test set (<see cref="DataScore"/>),
/// every <c>every</c> epochs (<see cref="EpochCadence"/>). It runs a second model over the same parameter arrays (or,
/// with <c>refresh</c>, over arrays that <c>refresh</c> brings up to date first: Replicated-SGD's centre), in chunks,
/// so it neither touches the training model's buffers nor draws random numbers: the trajectory is the same with or
/// without it. The error is the misclassification rate: argmax for C ≥ 2 outputs, the sign for one output with ±1
/// labels (no error column otherwise).
/// </summary>
public sealed class Evaluation<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly IModel<T> model;
    private readonly ILoss loss;
    private readonly (Matrix<T> X, T[] Y)? train, test;
    private readonly bool hasError;
    private readonly Action? refresh;
    private readonly EpochCadence cadence;

    public IReadOnlyList<string> Columns { get; }

    /// <summary>The test error of the last evaluation and the best one with its step (NaN/−1 without a test set).</summary>
    public double FinalTestError { get; private set; } = double.NaN;
    public double BestTestError { get; set; } = double.NaN;
    public int BestTestErrorStep { get; set; } = -1;

    /// <param name="lastEpoch">The epoch of the last step before this run's first (a resumed run's), else −1.</param>
    public Evaluation(IModel<T> model, ILoss loss, Dataset trainSet, Dataset? testSet, int every, Action? refresh = null, int lastEpoch = -1)
    {
        this.model = model; this.loss = loss; this.refresh = refresh;
        cadence = new EpochCadence(every, lastEpoch);
        train = Convert(trainSet);
        test = testSet is null ? null : Convert(testSet);
        hasError = DataScore.HasError(model.Outputs, trainSet.Y.Concat(testSet?.Y ?? []));
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

    /// <summary>Whether the step of epoch <paramref name="epoch"/> is evaluated (call once per step, in order).</summary>
    public bool Due(int epoch, bool isLast) => cadence.Due(epoch, isLast);

    public void Measure(int step, Dictionary<string, double> row)
    {
        refresh?.Invoke();
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

    private (double Loss, double Error) Evaluate((Matrix<T> X, T[] Y) set) => DataScore.Evaluate(model, loss, set.X, set.Y);
}
