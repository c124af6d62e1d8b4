using System.Numerics;
using Overparam.Architectures;
using Overparam.Measures;
using Overparam.Numerics;

namespace Overparam.Experiments;

/// <summary>
/// --probe-expressivity-every k: σ_min(Φ), σ_max(Φ) and rank Φ of the run's network's last hidden layer on the whole
/// training set (<see cref="Expressivity"/>), every k epochs (<see cref="EpochCadence"/>) and at the end. Φ is computed by
/// a second network over the same arrays, so the training step's buffers and the trajectory are untouched; nothing is
/// computed when the option is not given.
/// </summary>
internal sealed class ExpressivityProbe<T>(Func<Matrix<double>> features, int every, int lastEpoch) : IMetricsSource
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly EpochCadence cadence = new(every, lastEpoch);

    public IReadOnlyList<string> Columns { get; } = [MetricColumns.SigmaMinPhi, MetricColumns.SigmaMaxPhi, MetricColumns.RankPhi];

    public bool Due(int epoch, bool isLast) => cadence.Due(epoch, isLast);

    public void Measure(Dictionary<string, double> row)
    {
        var r = Expressivity.Measure(features());
        row[MetricColumns.SigmaMinPhi] = r.SigmaMin;
        row[MetricColumns.SigmaMaxPhi] = r.SigmaMax;
        row[MetricColumns.RankPhi] = r.Rank;
    }

    /// <summary>Φ of <paramref name="network"/> (brought up to date by <paramref name="refresh"/>) on <paramref name="x"/>; bad input when the model has no features.</summary>
    public static Func<Matrix<double>> Of(IModel<T> network, Action? refresh, Matrix<T> x, string option)
    {
        if (network is not IFeatureModel<T>)
            throw new RunSpecException($"{option}: the {network.GetType().Name} model does not expose the features of a last hidden layer");
        return () =>
        {
            refresh?.Invoke();
            return Expressivity.Features(network, x);
        };
    }
}
