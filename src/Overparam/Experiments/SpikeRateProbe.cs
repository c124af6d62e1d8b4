using System.Numerics;
using Overparam.Architectures.Spiking;

namespace Overparam.Experiments;

/// <summary>The spiking network's mean firing rate per LIF layer on each step's batch (spike_rate_1 … spike_rate_L, the last the output layer).</summary>
internal sealed class SpikeRateProbe<T>(SpikingNetwork<T> model) : IMetricsProbe where T : unmanaged, IFloatingPointIeee754<T>
{
    public IReadOnlyList<string> Columns { get; } = Enumerable.Range(1, model.Parameters.Count).Select(MetricColumns.SpikeRate).ToArray();

    public void Measure(Dictionary<string, double> row)
    {
        var rates = model.SpikeRates();
        for (int l = 0; l < rates.Length; l++) row[MetricColumns.SpikeRate(l + 1)] = rates[l];
    }
}
