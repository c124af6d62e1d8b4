using System.Numerics;
using Overparam.Architectures;
using Overparam.Data;
using Overparam.Measures;
using Overparam.Numerics;
using Overparam.Training.Losses;

namespace Overparam.Experiments;

/// <summary>
/// --probe-flatness-every k: the local energy δE(w, σ) (<see cref="LocalEnergy"/>) of the run's network (Replicated-SGD's
/// centre) at a few σ (--probe-flatness-sigmas, default 0.5) with M draws (--probe-flatness-draws, default 10), every k
/// epochs (<see cref="EpochCadence"/>), as the metrics.csv columns "delta_e_σ". E is the training error (the training
/// loss when the labels are real values). The draws are seeded by --seed ^ 0xF1A7, the same at every probe so that the
/// columns change with w only, and perturb copies of the weights on one thread: the trajectory is the same with or
/// without the probe.
/// </summary>
internal sealed class FlatnessProbe<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly IModel<T> network;
    private readonly Action? refresh;
    private readonly Func<IReadOnlyList<Parameter<T>>, IModel<T>> build;
    private readonly Func<IModel<T>, double> energy;
    private readonly LocalEnergyOptions options;
    private readonly EpochCadence cadence;

    public IReadOnlyList<string> Columns { get; }

    public FlatnessProbe(RunSpec spec, NetworkConfig config, IModel<T> network, Action? refresh, ILoss loss, Dataset train, int lastEpoch)
    {
        double[] sigmas = spec.ProbeFlatnessSigmas ?? [0.5];
        int draws = spec.ProbeFlatnessDraws ?? 10;
        foreach (double s in sigmas)
            if (!(s >= 0 && double.IsFinite(s))) throw new RunSpecException($"--probe-flatness-sigmas: σ = {s} must be a finite number ≥ 0");
        if (sigmas.Length == 0) throw new RunSpecException("--probe-flatness-sigmas: no σ given");
        if (draws < 1) throw new RunSpecException($"--probe-flatness-draws {draws}: must be at least 1");
        (this.network, this.refresh) = (network, refresh);
        var buffers = (network as IBatchNormModel<T>)?.Buffers;                  // the running statistics as they are (evaluation mode)
        build = p => NetworkFactory.Create(config, p, buffers);
        var x = typeof(T) == typeof(double) ? (Matrix<T>)(object)train.X : train.X.Convert<T>();
        var y = train.Y.Select(T.CreateTruncating).ToArray();
        bool error = DataScore.HasError(config.Outputs, train.Y);
        energy = m => error ? DataScore.Evaluate(m, loss, x, y).Error : DataScore.Evaluate(m, loss, x, y).Loss;
        options = new LocalEnergyOptions(sigmas, draws, spec.Seed ^ 0xF1A7UL);
        cadence = new EpochCadence(spec.ProbeFlatnessEvery, lastEpoch);
        Columns = sigmas.Select(MetricColumns.LocalEnergy).ToArray();
    }

    public bool Due(int epoch, bool isLast) => cadence.Due(epoch, isLast);

    public void Measure(Dictionary<string, double> row)
    {
        refresh?.Invoke();
        var curve = LocalEnergy.Measure(network.Parameters, build, energy, options);
        for (int s = 0; s < Columns.Count; s++) row[Columns[s]] = curve.Points[s].Mean;
    }
}
